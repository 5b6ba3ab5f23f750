"""End to end over a real uvicorn server: runAgent / recordRun → runRecorded, run(id), metrics."""

import asyncio
import json
import uuid

from tests.support.client import GraphQLWebSocket, error_codes, gql
from tests.support.operations import GET_RUN, RECORD_RUN, RUN_AGENT, SUBSCRIBE, SUMMARY
from tests.support.server import LiveServer


async def test_run_agent_is_pushed_stored_and_counted(live_server: LiveServer) -> None:
    async with GraphQLWebSocket(live_server.ws_url) as ws:
        op = await ws.subscribe(SUBSCRIBE)
        await asyncio.sleep(0.2)  # the subscription is registered once the operation starts
        body = await gql(
            live_server.url,
            RUN_AGENT,
            {"agent": "support-bot", "input": {"question": "How do I reset it?"}},
        )
        run = body["data"]["runAgent"]
        assert run["status"] == "SUCCESS", body
        assert run["model"] == "gpt-4o-mini"
        assert run["inputTokens"] > 0 and run["outputTokens"] > 0
        assert run["totalTokens"] == run["inputTokens"] + run["outputTokens"]
        assert run["calls"][0]["cachedTokens"] <= run["calls"][0]["inputTokens"]
        assert run["latencyMs"] > 0 and run["endedAt"] > run["startedAt"]
        pushed = (await ws.next_payload(op))["data"]["runRecorded"]
    assert pushed == run
    stored = (await gql(live_server.url, GET_RUN, {"id": run["id"]}))["data"]["run"]
    assert stored == run
    summary = (await gql(live_server.url, SUMMARY, {"agent": "support-bot"}))["data"]
    metrics = summary["metricsSummary"]
    assert metrics["count"] == 1 and metrics["successCount"] == 1
    assert metrics["latencyP50Ms"] == metrics["latencyP99Ms"] == run["latencyMs"]
    assert metrics["totalTokens"] == run["totalTokens"]


async def test_multi_step_and_multi_model_runs_capture_every_call(live_server: LiveServer) -> None:
    research = (
        await gql(
            live_server.url,
            RUN_AGENT,
            {"agent": "research-agent", "input": {"question": "What is 12 * 7?"}},
        )
    )["data"]["runAgent"]
    assert research["status"] == "SUCCESS"
    assert len(research["calls"]) >= 2  # tool call, then the final answer
    assert research["inputTokens"] == sum(c["inputTokens"] for c in research["calls"])
    summary = (
        await gql(
            live_server.url,
            RUN_AGENT,
            {"agent": "summarizer", "input": {"text": "A long text. " * 20}},
        )
    )["data"]["runAgent"]
    models = {c["model"] for c in summary["calls"]}
    assert models == {"gemini-2.0-flash", "gpt-4.1-mini"}
    assert [c["provider"] for c in summary["calls"]] == ["google", "openai"]


async def test_run_agent_without_wait_returns_running_then_completes(
    live_server: LiveServer,
) -> None:
    async with GraphQLWebSocket(live_server.ws_url) as ws:
        op = await ws.subscribe(SUBSCRIBE, {"agent": "slow-ok"})
        await asyncio.sleep(0.2)
        body = await gql(
            live_server.url,
            RUN_AGENT,
            {"agent": "slow-ok", "input": {"seconds": 0.5}, "wait": False},
        )
        started = body["data"]["runAgent"]
        assert started["status"] == "RUNNING" and started["latencyMs"] is None
        mid = (await gql(live_server.url, GET_RUN, {"id": started["id"]}))["data"]["run"]
        assert mid["status"] == "RUNNING"
        pushed = (await ws.next_payload(op))["data"]["runRecorded"]
    assert pushed["id"] == started["id"] and pushed["status"] == "SUCCESS"
    assert pushed["output"] == {"slept": True}
    assert pushed["latencyMs"] >= 500


async def test_record_run_is_pushed_and_idempotent(live_server: LiveServer) -> None:
    agent = f"external-{uuid.uuid4().hex[:8]}"
    report = {
        "agent": agent,
        "status": "ERROR",
        "startedAt": "2026-01-05T10:00:00Z",
        "latencyMs": 1234.5,
        "model": "gpt-4o",
        "inputTokens": 900,
        "outputTokens": 100,
        "error": {"message": "rate limited", "type": "RateLimitError", "stackTrace": "trace"},
        "traceId": "abc-123",
        "requestId": f"req-{uuid.uuid4().hex}",
    }
    async with GraphQLWebSocket(live_server.ws_url) as ws:
        op = await ws.subscribe(SUBSCRIBE, {"agent": agent})
        await asyncio.sleep(0.2)
        first = (await gql(live_server.url, RECORD_RUN, {"input": report}))["data"]["recordRun"]
        pushed = (await ws.next_payload(op))["data"]["runRecorded"]
        again = await gql(live_server.url, RECORD_RUN, {"input": {**report, "latencyMs": 1}})
        with_other_key = (
            await gql(
                live_server.url,
                RECORD_RUN,
                {"input": {**report, "requestId": f"req-{uuid.uuid4().hex}"}},
            )
        )["data"]["recordRun"]
        second_push = (await ws.next_payload(op))["data"]["runRecorded"]
    assert first == pushed
    assert first["status"] == "ERROR" and first["error"]["type"] == "RateLimitError"
    assert first["startedAt"].startswith("2026-01-05T10:00:00") and first["traceId"] == "abc-123"
    assert again["data"]["recordRun"] == first  # the stored run, not the retried values
    assert second_push["id"] == with_other_key["id"] != first["id"]  # duplicate was not pushed
    metrics = (await gql(live_server.url, SUMMARY, {"agent": agent}))["data"]["metricsSummary"]
    assert metrics["count"] == 2 and metrics["errorCount"] == 2 and metrics["errorRate"] == 1.0
    agents = (await gql(live_server.url, "{ agents { name source } }"))["data"]["agents"]
    assert {"name": agent, "source": "external"} in agents


async def test_input_and_output_are_stored_truncated(live_server: LiveServer) -> None:
    big = {"text": "x" * 40_000}
    run = (await gql(live_server.url, RUN_AGENT, {"agent": "echo", "input": big}))["data"][
        "runAgent"
    ]
    assert run["status"] == "SUCCESS"
    for payload in (run["input"], run["output"]):
        assert payload["_truncated"] is True
        assert payload["originalBytes"] == len(json.dumps(big, separators=(",", ":")))
        assert len(payload["preview"]) < 16 * 1024
    small = await gql(live_server.url, RUN_AGENT, {"agent": "echo", "input": {"a": 1}})
    assert small["data"]["runAgent"]["output"] == {"a": 1}
    assert error_codes(small) == []
