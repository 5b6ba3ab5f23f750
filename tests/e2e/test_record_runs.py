"""recordRuns: batched ingestion, all-or-nothing validation, per-run idempotency."""

import uuid

from tests.support.client import error_codes, gql
from tests.support.server import LiveServer

BATCH = "mutation($runs: [RecordRunInput!]!) { recordRuns(runs: $runs) { count ids } }"
COUNT = "query($a: String) { metricsSummary(agent: $a) { count errorCount totalTokens } }"


async def test_batch_is_stored_idempotently_and_counted(live_server: LiveServer) -> None:
    agent = f"batch-{uuid.uuid4().hex[:6]}"
    runs = [
        {
            "agent": agent,
            "status": "SUCCESS" if i % 4 else "ERROR",
            "latencyMs": 10 + i,
            "model": "gpt-4o-mini",
            "inputTokens": 100,
            "outputTokens": 10,
            "requestId": f"{agent}-{i}",
        }
        for i in range(250)
    ]
    first = (await gql(live_server.url, BATCH, {"runs": runs}))["data"]["recordRuns"]
    again = (await gql(live_server.url, BATCH, {"runs": runs[:10]}))["data"]["recordRuns"]
    assert first["count"] == 250 and len(set(first["ids"])) == 250
    assert again["ids"] == first["ids"][:10]  # the same runs, not new ones
    metrics = (await gql(live_server.url, COUNT, {"a": agent}))["data"]["metricsSummary"]
    assert metrics == {"count": 250, "errorCount": 63, "totalTokens": 250 * 110}
    run = await gql(
        live_server.url,
        "query($id: ID!) { run(id: $id) { costUsd costSource } }",
        {"id": first["ids"][1]},
    )
    assert run["data"]["run"]["costSource"] == "CATALOG" and run["data"]["run"]["costUsd"] > 0


async def test_one_invalid_run_stores_none(live_server: LiveServer) -> None:
    agent = f"batch-{uuid.uuid4().hex[:6]}"
    runs: list[dict[str, object]] = [{"agent": agent, "status": "SUCCESS"} for _ in range(5)]
    runs[2] = {**runs[2], "inputTokens": -1}
    body = await gql(live_server.url, BATCH, {"runs": runs})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"].startswith("runs[2]:")
    assert body["errors"][0]["extensions"]["index"] == 2
    metrics = (await gql(live_server.url, COUNT, {"a": agent}))["data"]["metricsSummary"]
    assert metrics["count"] == 0
    agents = (await gql(live_server.url, "{ agents { name } }"))["data"]["agents"]
    assert agent not in {a["name"] for a in agents}
    too_many = await gql(
        live_server.url, BATCH, {"runs": [{"agent": agent, "status": "SUCCESS"}] * 1001}
    )
    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    empty = await gql(live_server.url, BATCH, {"runs": []})
    assert error_codes(empty) == ["BAD_USER_INPUT"]
