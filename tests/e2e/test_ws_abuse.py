"""Issue 9 §4: WebSocket caps per client address, per key and per connection, each refusal
coded; a client that never reads is dropped and its subscriptions freed."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.client import GraphQLWebSocket, gql
from tests.support.server import LiveServer, start_server

KEY = "ws-abuse-key"


@pytest.fixture
def capped_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(
        {
            "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
            "AGENTWATCH_WS_MAX_CONNECTIONS_PER_CLIENT": "3",
            "AGENTWATCH_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION": "2",
            "AGENTWATCH_WS_SEND_TIMEOUT_SECONDS": "1",
            "AGENTWATCH_MAX_BODY_BYTES": str(32 * 1024 * 1024),
        },
        tmp_path / "log",
    )
    try:
        yield server
    finally:
        server.stop()


async def _closed_code(ws_url: str, params: dict[str, str] | None = None) -> int | None:
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        try:
            await ws.send(json.dumps({"type": "connection_init", "payload": params or {}}))
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


async def test_connections_per_address_are_capped(capped_server: LiveServer) -> None:
    async with GraphQLWebSocket(capped_server.ws_url), GraphQLWebSocket(capped_server.ws_url):
        async with GraphQLWebSocket(capped_server.ws_url):
            assert await _closed_code(capped_server.ws_url) == 1013
        async with GraphQLWebSocket(capped_server.ws_url) as again:  # a place was given back
            assert again.ws is not None


async def test_subscriptions_per_connection_are_capped_with_a_coded_error(
    capped_server: LiveServer,
) -> None:
    async with GraphQLWebSocket(capped_server.ws_url) as ws:
        await ws.subscribe("subscription { runRecorded { id } }")
        await ws.subscribe("subscription { alertChanged { id } }")
        third = await ws.subscribe("subscription { runRecorded { id } }")
        refused = await ws.next_payload(third)
        assert refused["errors"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        bad = await ws.subscribe('subscription { runRecorded(agent: "a\\u0000") { id } }')
        assert (await ws.next_payload(bad))["errors"][0]["extensions"]["code"] in {
            "BAD_USER_INPUT",
            "TOO_MANY_SUBSCRIPTIONS",
        }


async def test_a_client_that_never_reads_is_dropped(capped_server: LiveServer) -> None:
    # max_queue=1: the client stops reading its socket once one message is waiting.
    ws = await connect(
        capped_server.ws_url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        max_queue=1,
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    await ws.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": "subscription { runRecorded { id output } }"},
            }
        )
    )
    assert await _subscribers(capped_server) == 1
    output = {"text": "x" * 15_000}
    batch = [{"agent": "flood", "status": "SUCCESS", "output": output} for _ in range(500)]
    deadline = time.monotonic() + 120
    while await _subscribers(capped_server) > 0:
        assert time.monotonic() < deadline, "the non-reading client was never dropped"
        body = await gql(
            capped_server.url,
            "mutation($r: [RecordRunInput!]!) { recordRuns(runs: $r) { count } }",
            {"r": batch},
            timeout=60,
        )
        assert body["data"]["recordRuns"]["count"] == 500
        await asyncio.sleep(1.5)
    await ws.close()
    async with GraphQLWebSocket(capped_server.ws_url) as reader:  # others are served as before
        op = await reader.subscribe("subscription { runRecorded { id } }")
        await gql(
            capped_server.url, 'mutation { recordRun(input: {agent: "a", status: SUCCESS}) { id } }'
        )
        assert (await reader.next_payload(op))["data"]["runRecorded"]["id"]


async def _subscribers(server: LiveServer) -> int:
    async with httpx.AsyncClient(timeout=30) as client:
        count: int = (await client.get(f"{server.url}/health")).json()["subscribers"]
    return count


async def test_connections_per_key_are_capped(tmp_path: Path) -> None:
    server = await asyncio.to_thread(
        start_server,
        {
            "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
            "AGENTWATCH_API_KEY": KEY,
            "AGENTWATCH_WS_MAX_CONNECTIONS_PER_KEY": "2",
        },
        tmp_path / "log",
    )
    params = {"Authorization": f"Bearer {KEY}"}
    try:
        async with GraphQLWebSocket(server.ws_url, params), GraphQLWebSocket(server.ws_url, params):
            assert await _closed_code(server.ws_url, params) == 4403
        async with GraphQLWebSocket(server.ws_url, params) as again:
            assert again.ws is not None
    finally:
        server.stop()
