"""Cost over GraphQL on a live server: prices, overrides, recompute, summary, budgets."""

import asyncio
import uuid

from tests.support.client import GraphQLWebSocket, error_codes, gql
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


async def test_run_agent_runs_are_priced_per_call(live_server: LiveServer) -> None:
    body = await gql(
        live_server.url,
        """mutation { runAgent(agent: "summarizer",
      input: {text: "Some text to summarise."}) { costUsd costSource
      calls { model costUsd costSource } } }""",
    )
    run = body["data"]["runAgent"]
    assert run["costSource"] == "CATALOG" and run["costUsd"] > 0
    assert run["costUsd"] == sum(c["costUsd"] for c in run["calls"])
    assert {c["model"] for c in run["calls"]} == {"gemini-2.0-flash", "gpt-4.1-mini"}


async def test_invalid_cost_inputs_are_rejected(live_server: LiveServer) -> None:
    url = live_server.url
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
