"""Cost over GraphQL on a live server: prices, overrides, recompute, summary, budgets."""

import asyncio
import uuid
from pathlib import Path

from tests.support.client import (
    GraphQLWebSocket,
    InProcessServer,
    error_codes,
    gql,
    in_process_server,
)
from tests.support.databases import settings_for
from tests.support.server import LiveServer

RECORD = """mutation($input: RecordRunInput!) { recordRun(input: $input) {
  id costUsd costSource calls { model costUsd costSource pricedAs } } }"""
SET_PRICE = """mutation($input: ModelPriceInput!) { setModelPrice(input: $input) {
  model source inputPerMillion outputPerMillion cacheReadPerMillion effectiveFrom } }"""


async def test_costs_end_to_end(live_server: LiveServer) -> None:
    url = live_server.url
    agent = f"cost-{uuid.uuid4().hex[:6]}"
    async with GraphQLWebSocket(live_server.ws_url) as ws:
        op = await ws.subscribe(
            "subscription($a: String) { runRecorded(agent: $a) { id costUsd costSource } }",
            {"a": agent},
        )
        await asyncio.sleep(0.2)
        body = await gql(
            url,
            RECORD,
            {
                "input": {
                    "agent": agent,
                    "status": "SUCCESS",
                    "calls": [
                        {
                            "model": "gpt-4o-mini",
                            "provider": "openai",
                            "inputTokens": 10000,
                            "cachedTokens": 4000,
                            "outputTokens": 500,
                        },
                        {"model": "house-model", "inputTokens": 1000000, "outputTokens": 0},
                    ],
                }
            },
        )
        run = body["data"]["recordRun"]
        pushed = (await ws.next_payload(op))["data"]["runRecorded"]
    assert run["costUsd"] is None and run["costSource"] == "UNPRICED"
    assert pushed == {"id": run["id"], "costUsd": None, "costSource": "UNPRICED"}
    assert run["calls"][0] == {
        "model": "gpt-4o-mini",
        "costUsd": 0.0015,
        "costSource": "CATALOG",
        "pricedAs": "openai:gpt-4o-mini",
    }
    price = await gql(
        url,
        SET_PRICE,
        {"input": {"model": "house-model", "inputPerMillion": 0.5, "outputPerMillion": 1.5}},
    )
    assert price["data"]["setModelPrice"]["source"] == "OVERRIDE"
    changed = await gql(url, "mutation { recomputeCosts }")
    assert changed["data"]["recomputeCosts"] == 1
    stored = (
        await gql(url, "query($id: ID!) { run(id: $id) { costUsd costSource } }", {"id": run["id"]})
    )["data"]["run"]
    assert stored == {"costUsd": 0.5015, "costSource": "OVERRIDE"}
    prices = await gql(url, "{ modelPrices { model source pricedAs inputPerMillion } }")
    listed = {(p["model"], p["source"]) for p in prices["data"]["modelPrices"]}
    assert {("house-model", "OVERRIDE"), ("gpt-4o-mini", "CATALOG")} <= listed
    budget = await gql(
        url,
        "mutation($a: String) { setBudget(agent: $a, dailyUsd: 1.0) "
        "{ agent dailyUsd dailyUsedUsd dailyRemainingUsd } }",
        {"a": agent},
    )
    assert budget["data"]["setBudget"] == {
        "agent": agent,
        "dailyUsd": 1.0,
        "dailyUsedUsd": 0.5015,
        "dailyRemainingUsd": 0.4985,
    }
    summary = (
        await gql(
            url,
            """query($a: String) { costSummary(agent: $a) { totalUsd todayUsd
      monthToDateUsd projectedMonthUsd unpricedRuns byModel { model costUsd }
      budget { dailyUsedFraction } } }""",
            {"a": agent},
        )
    )["data"]["costSummary"]
    assert summary["totalUsd"] == summary["todayUsd"] == summary["monthToDateUsd"] == 0.5015
    assert summary["projectedMonthUsd"] >= 0.5015 and summary["unpricedRuns"] == 0
    assert summary["budget"]["dailyUsedFraction"] == 0.5015
    metrics = await gql(
        url,
        "query($a: String) { metricsSummary(agent: $a) { totalCostUsd unpricedCount } }",
        {"a": agent},
    )
    assert metrics["data"]["metricsSummary"] == {"totalCostUsd": 0.5015, "unpricedCount": 0}
    assert (await gql(url, 'mutation { deleteModelPrice(model: "house-model") }'))["data"] == {
        "deleteModelPrice": 1
    }
    suggestions = await gql(
        url, "{ costSuggestions { kind agent estimatedMonthlySavingsUsd evidence } }"
    )
    assert "errors" not in suggestions


async def test_run_agent_runs_are_priced_per_call(api_server: InProcessServer) -> None:
    body = await gql(
        api_server.url,
        """mutation { runAgent(agent: "summarizer",
      input: {text: "Some text to summarise."}) { costUsd costSource
      calls { model costUsd costSource } } }""",
    )
    run = body["data"]["runAgent"]
    assert run["costSource"] == "CATALOG" and run["costUsd"] > 0
    assert run["costUsd"] == sum(c["costUsd"] for c in run["calls"])
    assert {c["model"] for c in run["calls"]} == {"gemini-2.0-flash", "gpt-4.1-mini"}


async def test_invalid_cost_inputs_are_rejected(api_server: InProcessServer) -> None:
    url = api_server.url
    bad_prices = [
        {"model": "m", "inputPerMillion": -1, "outputPerMillion": 1},
        {"model": "", "inputPerMillion": 1, "outputPerMillion": 1},
        {"model": "m", "inputPerMillion": 1, "outputPerMillion": 1e12},
        {
            "model": "m",
            "inputPerMillion": 1,
            "outputPerMillion": 1,
            "effectiveFrom": "2026-01-01T00:00:00",
        },
    ]
    for case in bad_prices:
        assert error_codes(await gql(url, SET_PRICE, {"input": case})) == ["BAD_USER_INPUT"], case
    assert error_codes(await gql(url, 'mutation { deleteModelPrice(model: "nope") }')) == [
        "BAD_USER_INPUT"
    ]
    assert error_codes(
        await gql(url, 'mutation { setBudget(agent: "nobody", dailyUsd: 1) { agent } }')
    ) == ["AGENT_NOT_FOUND"]
    assert error_codes(
        await gql(url, 'mutation { setBudget(agent: "echo", dailyUsd: -1) { agent } }')
    ) == ["BAD_USER_INPUT"]
    negative_cost = {"agent": "x", "status": "SUCCESS", "costUsd": -0.5}
    assert error_codes(await gql(url, RECORD, {"input": negative_cost})) == ["BAD_USER_INPUT"]
    prices = (await gql(url, "{ modelPrices { model source } }"))["data"]["modelPrices"]
    assert [p for p in prices if p["source"] == "OVERRIDE"] == []


SUMMARY = """query($a: String) {
  costSummary(agent: $a) {
    totalUsd unpricedRuns todayUsd monthToDateUsd projectedMonthUsd failedRunsCostUsd
    failedUnpricedCount costPerSuccessfulRunUsd
    byAgent { agent runs costUsd unpricedCount }
    byModel { model costUsd unpricedCalls }
    byDay { costUsd runs unpricedCount }
    budget { dailyUsedUsd dailyUnpricedCount monthlyUsedUsd monthlyUnpricedCount } }
  metricsSummary(agent: $a) { totalCostUsd unpricedCount }
  metricsTimeseries(agent: $a, bucketSeconds: 86400) { costUsd unpricedCount } }"""


async def test_unpriced_totals_are_null_with_their_count_never_zero(tmp_path: Path) -> None:
    """An agent whose runs are all UNPRICED used to show costUsd 0.0 in byAgent."""
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'u.db'}")
    unpriced, partial = "all-unpriced", "partly-priced"
    async with in_process_server(settings) as server:
        for agent, model, status in (
            (unpriced, "house-model", "SUCCESS"),
            (unpriced, "house-model", "ERROR"),
            (partial, "gpt-4o-mini", "SUCCESS"),
            (partial, "house-model", "ERROR"),
        ):
            body = await gql(
                server.url,
                RECORD,
                {
                    "input": {
                        "agent": agent,
                        "status": status,
                        "model": model,
                        "inputTokens": 1000,
                        "outputTokens": 100,
                        "error": {"message": "x", "type": "E"} if status == "ERROR" else None,
                    }
                },
            )
            assert "errors" not in body, body
        none = (await gql(server.url, SUMMARY, {"a": unpriced}))["data"]
        some = (await gql(server.url, SUMMARY, {"a": partial}))["data"]
        everything = (await gql(server.url, SUMMARY, {"a": None}))["data"]
    c = none["costSummary"]
    assert (
        c["totalUsd"],
        c["unpricedRuns"],
        c["todayUsd"],
        c["monthToDateUsd"],
        c["projectedMonthUsd"],
        c["costPerSuccessfulRunUsd"],
    ) == (None, 2, None, None, None, None)
    assert (c["failedRunsCostUsd"], c["failedUnpricedCount"]) == (None, 1)
    assert c["byAgent"] == [{"agent": unpriced, "runs": 2, "costUsd": None, "unpricedCount": 2}]
    assert c["byModel"] == [{"model": "house-model", "costUsd": None, "unpricedCalls": 2}]
    assert c["byDay"] == [{"costUsd": None, "runs": 2, "unpricedCount": 2}]
    assert c["budget"] == {
        "dailyUsedUsd": None,
        "dailyUnpricedCount": 2,
        "monthlyUsedUsd": None,
        "monthlyUnpricedCount": 2,
    }
    assert none["metricsSummary"] == {"totalCostUsd": None, "unpricedCount": 2}
    assert none["metricsTimeseries"][-1] == {"costUsd": None, "unpricedCount": 2}
    p = some["costSummary"]
    assert p["totalUsd"] is not None and p["totalUsd"] > 0 and p["unpricedRuns"] == 1
    assert (p["failedRunsCostUsd"], p["failedUnpricedCount"]) == (None, 1)
    assert p["byAgent"][0]["costUsd"] == p["totalUsd"] and p["byAgent"][0]["unpricedCount"] == 1
    assert p["budget"]["dailyUsedUsd"] == p["totalUsd"] and p["budget"]["dailyUnpricedCount"] == 1
    by_agent = {a["agent"]: a for a in everything["costSummary"]["byAgent"]}
    assert by_agent[unpriced]["costUsd"] is None
    assert everything["costSummary"]["unpricedRuns"] == 3


BUDGETS = "{ budgets { agent dailyUsd monthlyUsd dailyUsedUsd } }"
SET_BUDGET = """mutation($a: String, $d: Float, $m: Float) {
  setBudget(agent: $a, dailyUsd: $d, monthlyUsd: $m) { agent } }"""


async def test_budgets_lists_the_overall_budget_then_every_agent_budget(
    api_server: InProcessServer,
) -> None:
    url = api_server.url
    overall_only = (await gql(url, BUDGETS))["data"]["budgets"]
    assert overall_only == [
        {"agent": None, "dailyUsd": None, "monthlyUsd": None, "dailyUsedUsd": 0.0}
    ]
    for agent, daily, monthly in (("summarizer", 2.5, None), ("echo", None, 40.0), (None, 9, 90)):
        body = await gql(url, SET_BUDGET, {"a": agent, "d": daily, "m": monthly})
        assert "errors" not in body, body
    budgets = (await gql(url, BUDGETS))["data"]["budgets"]
    assert [(b["agent"], b["dailyUsd"], b["monthlyUsd"]) for b in budgets] == [
        (None, 9.0, 90.0),
        ("echo", None, 40.0),
        ("summarizer", 2.5, None),
    ]
