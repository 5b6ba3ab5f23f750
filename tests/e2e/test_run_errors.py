"""Failures become stored runs; bad requests become clear errors and store nothing."""

import uuid

import httpx

from tests.support.client import error_codes, gql
from tests.support.operations import RECORD_RUN, RUN_AGENT
from tests.support.server import LiveServer

COUNT_ALL = "{ metricsSummary { count runningCount } }"


async def _stored(server: LiveServer) -> int:
    body = await gql(server.url, COUNT_ALL)
    summary = body["data"]["metricsSummary"]
    return int(summary["count"]) + int(summary["runningCount"])


async def test_failing_agent_is_a_stored_error_run(live_server: LiveServer) -> None:
    body = await gql(
        live_server.url,
        RUN_AGENT,
        {"agent": "failing", "input": {"message": "invoice 7 is missing"}},
    )
    assert "errors" not in body
    run = body["data"]["runAgent"]
    assert run["status"] == "ERROR"
    assert run["error"]["message"] == "invoice 7 is missing"
    assert run["error"]["type"] == "tests.support.agents.InvoiceLookupError"
    assert "in _fail" in run["error"]["stackTrace"]
    assert "Traceback" in run["error"]["stackTrace"]


async def test_timing_out_agent_is_a_timeout_run(live_server: LiveServer) -> None:
    run = (await gql(live_server.url, RUN_AGENT, {"agent": "sleeper", "input": {"seconds": 30}}))[
        "data"
    ]["runAgent"]
    assert run["status"] == "TIMEOUT"
    assert 450 <= run["latencyMs"] < 5000
    assert "0.5s timeout" in run["error"]["message"]


async def test_unknown_disabled_and_oversized_are_rejected_and_store_nothing(
    live_server: LiveServer,
) -> None:
    before = await _stored(live_server)
    unknown = await gql(live_server.url, RUN_AGENT, {"agent": "no-such-agent", "input": {}})
    assert error_codes(unknown) == ["AGENT_NOT_FOUND"]
    disabled = await gql(live_server.url, RUN_AGENT, {"agent": "disabled-bot", "input": {}})
    assert error_codes(disabled) == ["AGENT_DISABLED"]
    oversized = await gql(
        live_server.url, RUN_AGENT, {"agent": "echo", "input": {"blob": "y" * 300_000}}
    )
    assert error_codes(oversized) == ["BAD_USER_INPUT"]
    assert "limit" in oversized["errors"][0]["message"]
    bad_name = await gql(live_server.url, RUN_AGENT, {"agent": "../etc/passwd", "input": {}})
    assert error_codes(bad_name) == ["BAD_USER_INPUT"]
    assert await _stored(live_server) == before


async def test_invalid_record_run_inputs_are_rejected(live_server: LiveServer) -> None:
    valid = {"agent": "ext", "status": "SUCCESS", "latencyMs": 10.0}
    cases = [
        {**valid, "inputTokens": -1},
        {**valid, "outputTokens": 10**12},
        {**valid, "latencyMs": -5.0},
        {**valid, "startedAt": "2999-01-01T00:00:00Z"},
        {**valid, "startedAt": "2026-01-01T00:00:00"},  # no offset
        {**valid, "status": "RUNNING"},
        {**valid, "agent": "bad name with spaces"},
        {**valid, "agent": ""},
        {**valid, "model": "m" * 500},
        {**valid, "requestId": "   "},
        {**valid, "error": {"message": "x", "type": "E"}},  # error on a SUCCESS run
    ]
    before = await _stored(live_server)
    for case in cases:
        body = await gql(live_server.url, RECORD_RUN, {"input": case})
        assert error_codes(body) == ["BAD_USER_INPUT"], (case, body)
    assert await _stored(live_server) == before
    agents = (await gql(live_server.url, "{ agents { name } }"))["data"]["agents"]
    assert "ext" not in {a["name"] for a in agents}


async def test_malformed_requests_get_clear_errors_and_server_keeps_serving(
    live_server: LiveServer,
) -> None:
    async with httpx.AsyncClient() as client:
        broken = await client.post(
            f"{live_server.url}/graphql",
            content=b'{"query": "{ agents',
            headers={"content-type": "application/json"},
        )
    assert broken.status_code == 400
    syntax = await gql(live_server.url, "{ agents { name ")
    assert (
        error_codes(syntax) == ["GRAPHQL_PARSE_FAILED"]
        and "Syntax Error" in syntax["errors"][0]["message"]
    )
    bad_var = await gql(
        live_server.url,
        "query($s: DateTime) { runs(since: $s) { edges { cursor } } }",
        {"s": "not-a-date"},
    )
    assert error_codes(bad_var) == ["BAD_USER_INPUT"]
    bad_cursor = await gql(live_server.url, '{ runs(after: "zzz") { edges { cursor } } }')
    assert error_codes(bad_cursor) == ["BAD_USER_INPUT"]
    too_many = await gql(live_server.url, "{ runs(first: 100000) { edges { cursor } } }")
    assert error_codes(too_many) == ["BAD_USER_INPUT"]
    ok = await gql(live_server.url, "{ agents { name } }")
    assert ok["_status"] == 200 and len(ok["data"]["agents"]) >= 3


async def test_query_limits_reject_deep_and_abusive_queries(live_server: LiveServer) -> None:
    ok = "{ runs { edges { node { calls { model } } } pageInfo { hasNextPage } } }"
    assert "errors" not in await gql(live_server.url, ok)
    # No type cycles exist yet, so a too-deep query is also invalid; the depth rule must be
    # among its errors (it runs on the document, before field checks matter).
    deep = "{ runs { edges { node " + "{ calls " * 14 + "{ model }" + " }" * 14 + " } } }"
    body = await gql(live_server.url, deep)
    assert body.get("data") is None
    assert any("exceeds maximum operation depth" in e["message"] for e in body["errors"]), body
    assert set(error_codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    aliases = "{ " + " ".join(f"a{i}: agents {{ name }}" for i in range(20)) + " }"
    body = await gql(live_server.url, aliases)
    assert body.get("data") is None and "aliases" in body["errors"][0]["message"].lower()
    fragment_depth = (
        "query { runs { edges { node { ...A } } } } fragment A on Run { calls { ...B } } "
        "fragment B on LlmCall { model } "
    )
    assert "errors" not in await gql(live_server.url, fragment_depth)
    tokens = "{ agents { " + " ".join(["name"] * 2100) + " } }"
    body = await gql(live_server.url, tokens)
    assert body.get("data") is None and body["errors"]
    run_id = str(uuid.uuid4())
    assert (await gql(live_server.url, f'{{ run(id: "{run_id}") {{ id }} }}'))["data"] == {
        "run": None
    }
