"""With AGENTWATCH_API_KEY set, HTTP needs the bearer key and WebSockets need it in
connectionParams (close 4403 otherwise)."""

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.client import GraphQLWebSocket, error_codes, gql
from tests.support.server import LiveServer, start_server

KEY = "s3cret-key-for-tests"


@pytest.fixture
def keyed_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(
        {
            "AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
            "AGENTWATCH_API_KEY": KEY,
        },
        tmp_path / "server.log",
    )
    try:
        yield server
    finally:
        server.stop()


async def test_http_requires_the_bearer_key(keyed_server: LiveServer) -> None:
    query = "{ agents { name } }"
    missing = await gql(keyed_server.url, query)
    wrong = await gql(keyed_server.url, query, headers={"Authorization": "Bearer nope"})
    no_scheme = await gql(keyed_server.url, query, headers={"Authorization": KEY})
    for body in (missing, wrong, no_scheme):
        assert body["_status"] == 401 and error_codes(body) == ["UNAUTHENTICATED"]
    ok = await gql(keyed_server.url, query, headers={"Authorization": f"Bearer {KEY}"})
    assert ok["_status"] == 200 and len(ok["data"]["agents"]) >= 3
    async with httpx.AsyncClient() as client:
        ide = await client.get(f"{keyed_server.url}/graphql", headers={"accept": "text/html"})
        via_get = await client.get(
            f"{keyed_server.url}/graphql", params={"query": query}, headers={"accept": "text/html"}
        )
        health = await client.get(f"{keyed_server.url}/health")
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()  # the page holds no data
    assert via_get.status_code == 401  # ...but a query through GET does
    assert health.status_code == 200


async def test_websocket_requires_the_key_in_connection_params(keyed_server: LiveServer) -> None:
    for params in ({}, {"Authorization": "Bearer wrong"}):
        async with connect(keyed_server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": params}))
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    async with GraphQLWebSocket(keyed_server.ws_url, {"Authorization": f"Bearer {KEY}"}) as ws:
        op = await ws.subscribe("subscription { runRecorded { id } }")
        await gql(
            keyed_server.url,
            'mutation { recordRun(input: {agent: "a", status: SUCCESS}) { id } }',
            headers={"Authorization": f"Bearer {KEY}"},
        )
        assert (await ws.next_payload(op))["data"]["runRecorded"]["id"]
