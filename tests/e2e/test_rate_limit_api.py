"""Rate limits through runAgent on live servers: exact admission, retryAfterMs, live changes,
queuing, a disconnected caller, and one shared limit for two processes on one Redis."""

import asyncio
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.support.client import error_codes, gql
from tests.support.databases import IN_CI, unavailable
from tests.support.server import LiveServer, free_port, start_server

RUN = """mutation($agent: String!, $input: JSON!) { runAgent(agent: $agent, input: $input)
  { id status } }"""
UPDATE = """mutation($name: String!, $input: AgentUpdateInput!) { updateAgent(name: $name,
  input: $input) { name rateLimit { requests perSeconds burst maxConcurrent maxQueueMs } } }"""
STATUS = """query($a: String!) { rateLimitStatus(agent: $a) { limit { requests } available queued
  inFlight rejectedLastHour } metricsSummary(agent: $a) { count rateLimitedCount queuedCount } }"""
REDIS_URL = os.environ.get("AGENTWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = start_server(
        {"AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"},
        tmp_path / "server.log",
    )
    try:
        yield live
    finally:
        live.stop()


async def _burst(url: str, agent: str, n: int, seconds: float = 0.0) -> list[dict[str, object]]:
    return list(
        await asyncio.gather(
            *(gql(url, RUN, {"agent": agent, "input": {"seconds": seconds}}) for _ in range(n))
        )
    )


async def test_exactly_the_burst_starts_and_the_rest_get_retry_after(server: LiveServer) -> None:
    bodies = await _burst(server.url, "limited", 20)
    ok = [b for b in bodies if "errors" not in b]
    refused = [b for b in bodies if "errors" in b]
    assert len(ok) == 5 and len(refused) == 15  # requests 5 / 60 s, burst 5, no queue
    assert all(error_codes(b) == ["RATE_LIMITED"] for b in refused)
    retry = [b["errors"][0]["extensions"]["retryAfterMs"] for b in refused]  # type: ignore[index]
    assert all(0 < ms <= 12_000 for ms in retry)  # the next token is 12 s away at most
    status = (await gql(server.url, STATUS, {"a": "limited"}))["data"]
    assert status["rateLimitStatus"] == {
        "limit": {"requests": 5},
        "available": 0,
        "queued": 0,
        "inFlight": 0,
        "rejectedLastHour": 15,
    }
    assert status["metricsSummary"]["count"] == 5
    assert status["metricsSummary"]["rateLimitedCount"] == 15


async def test_live_change_gives_relief_at_once_and_null_removes_the_limit(
    server: LiveServer,
) -> None:
    await _burst(server.url, "limited", 6)
    assert error_codes(await gql(server.url, RUN, {"agent": "limited", "input": {}})) == [
        "RATE_LIMITED"
    ]
    raised = await gql(
        server.url,
        UPDATE,
        {"name": "limited", "input": {"rateLimit": {"requests": 100, "perSeconds": 60}}},
    )
    assert raised["data"]["updateAgent"]["rateLimit"] == {
        "requests": 100,
        "perSeconds": 60.0,
        "burst": 100,
        "maxConcurrent": None,
        "maxQueueMs": 10000,
    }
    assert all("errors" not in b for b in await _burst(server.url, "limited", 20))
    removed = await gql(server.url, UPDATE, {"name": "limited", "input": {"rateLimit": None}})
    assert removed["data"]["updateAgent"]["rateLimit"] is None
    assert all("errors" not in b for b in await _burst(server.url, "limited", 30))
    status = (await gql(server.url, STATUS, {"a": "limited"}))["data"]["rateLimitStatus"]
    assert status["limit"] is None and status["available"] is None


async def test_concurrency_cap_queues_first_come_first_served(server: LiveServer) -> None:
    await gql(
        server.url,
        UPDATE,
        {
            "name": "slow-ok",
            "input": {
                "rateLimit": {
                    "requests": 1000,
                    "perSeconds": 1,
                    "maxConcurrent": 1,
                    "maxQueueMs": 20000,
                }
            },
        },
    )
    started = time.monotonic()
    bodies = await _burst(server.url, "slow-ok", 3, seconds=0.4)
    elapsed = time.monotonic() - started
    assert all(b["data"]["runAgent"]["status"] == "SUCCESS" for b in bodies)  # type: ignore[index]
    assert elapsed >= 1.2  # one at a time
    summary = (await gql(server.url, STATUS, {"a": "slow-ok"}))["data"]["metricsSummary"]
    assert summary["queuedCount"] == 2 and summary["rateLimitedCount"] == 0


async def test_a_caller_that_disconnects_while_queued_gives_its_place_back(
    server: LiveServer,
) -> None:
    await gql(
        server.url,
        UPDATE,
        {
            "name": "slow-ok",
            "input": {
                "rateLimit": {
                    "requests": 1000,
                    "perSeconds": 1,
                    "maxConcurrent": 1,
                    "maxQueueMs": 30000,
                }
            },
        },
    )
    holder = asyncio.create_task(
        gql(server.url, RUN, {"agent": "slow-ok", "input": {"seconds": 1.5}})
    )
    await asyncio.sleep(0.3)
    async with httpx.AsyncClient(timeout=0.5) as client:  # queued behind `holder`, then gives up
        with pytest.raises(httpx.ReadTimeout):
            await client.post(
                f"{server.url}/graphql",
                json={
                    "query": RUN,
                    "variables": {"agent": "slow-ok", "input": {"seconds": 0, "who": "quitter"}},
                },
            )
    async with asyncio.timeout(5):
        while (await gql(server.url, STATUS, {"a": "slow-ok"}))["data"]["rateLimitStatus"][
            "queued"
        ]:
            await asyncio.sleep(0.05)
    await holder
    await asyncio.sleep(0.3)
    runs = await gql(server.url, '{ runs(agent: "slow-ok") { edges { node { input } } } }')
    inputs = [e["node"]["input"] for e in runs["data"]["runs"]["edges"]]
    assert {"seconds": 0, "who": "quitter"} not in inputs  # it never ran


async def test_invalid_updates_are_rejected(server: LiveServer) -> None:
    cases = [
        ("limited", {"rateLimit": {"requests": 0, "perSeconds": 60}}, "BAD_USER_INPUT"),
        ("limited", {"rateLimit": {"requests": 5, "perSeconds": -1}}, "BAD_USER_INPUT"),
        (
            "limited",
            {"rateLimit": {"requests": 5, "perSeconds": 60, "maxQueueMs": -1}},
            "BAD_USER_INPUT",
        ),
        ("limited", {"timeoutSeconds": 0}, "BAD_USER_INPUT"),
        ("limited", {"dailyBudgetUsd": -3}, "BAD_USER_INPUT"),
        ("ghost", {"enabled": False}, "AGENT_NOT_FOUND"),
    ]
    for name, update, code in cases:
        assert error_codes(await gql(server.url, UPDATE, {"name": name, "input": update})) == [
            code
        ], (name, update)
    disabled = await gql(server.url, UPDATE, {"name": "echo", "input": {"enabled": False}})
    assert "errors" not in disabled
    assert error_codes(await gql(server.url, RUN, {"agent": "echo", "input": {}})) == [
        "AGENT_DISABLED"
    ]


def _redis_available() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable("Redis", f"{REDIS_URL}: {exc}")


async def test_two_processes_on_one_redis_share_one_limit(tmp_path: Path) -> None:
    _redis_available()
    env = {
        "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
        "AGENTWATCH_REDIS_URL": REDIS_URL,
        "AGENTWATCH_REDIS_KEY_PREFIX": f"aw-test-{uuid.uuid4().hex[:8]}:",
    }
    first = start_server(env, tmp_path / "one.log")
    second = start_server(env, tmp_path / "two.log")
    try:
        bodies = list(
            await asyncio.gather(
                *(
                    gql(server.url, RUN, {"agent": "limited", "input": {"seconds": 0}})
                    for server in [first, second] * 10
                )
            )
        )
    finally:
        first.stop()
        second.stop()
    assert sum("errors" not in b for b in bodies) == 5  # not 5 per process
    assert sum(error_codes(b) == ["RATE_LIMITED"] for b in bodies) == 15


async def test_redis_outage_fails_closed_and_recovers(tmp_path: Path) -> None:
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        message = "redis-server binary not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    command = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    own_redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    server = None
    try:
        await _wait_redis(port)
        server = start_server(
            {
                "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'o.db'}",
                "AGENTWATCH_REDIS_URL": f"redis://127.0.0.1:{port}/0",
            },
            tmp_path / "server.log",
        )
        ok = await gql(server.url, RUN, {"agent": "limited", "input": {"seconds": 0}})
        assert "errors" not in ok
        own_redis.terminate()
        own_redis.wait(10)
        started = time.monotonic()
        down = await gql(server.url, RUN, {"agent": "limited", "input": {"seconds": 0}})
        assert error_codes(down) == ["RATE_LIMITER_UNAVAILABLE"]
        assert time.monotonic() - started < 5  # fails at once, does not hang
        unlimited = await gql(server.url, RUN, {"agent": "echo", "input": {}})
        assert "errors" not in unlimited  # agents without a limit never touch Redis
        own_redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        await _wait_redis(port)
        async with asyncio.timeout(15):  # recovers by itself, same process, no restart
            while "errors" in (
                back := await gql(server.url, RUN, {"agent": "limited", "input": {"seconds": 0}})
            ):
                await asyncio.sleep(0.2)
        assert back["data"]["runAgent"]["status"] == "SUCCESS"
    finally:
        if server is not None:
            server.stop()
        own_redis.terminate()
        own_redis.wait(10)


async def _wait_redis(port: int) -> None:
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    async with asyncio.timeout(10):
        while True:
            try:
                client.ping()
                return
            except redis.RedisError:
                await asyncio.sleep(0.1)


async def test_record_run_has_its_own_per_client_ingestion_limit(tmp_path: Path) -> None:
    live = start_server(
        {
            "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'i.db'}",
            "AGENTWATCH_INGEST_RATE_PER_SECOND": "0.01",
            "AGENTWATCH_INGEST_BURST": "3",
        },
        tmp_path / "server.log",
    )
    record = 'mutation { recordRun(input: {agent: "ext", status: SUCCESS}) { id } }'
    try:
        bodies = [await gql(live.url, record) for _ in range(5)]
        run_agent = await gql(live.url, RUN, {"agent": "limited", "input": {"seconds": 0}})
    finally:
        live.stop()
    assert [error_codes(b) for b in bodies] == [[], [], [], ["RATE_LIMITED"], ["RATE_LIMITED"]]
    assert bodies[3]["errors"][0]["extensions"]["retryAfterMs"] > 0
    assert "errors" not in run_agent  # agent limits and the ingestion limit are separate
