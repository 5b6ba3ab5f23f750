"""Minimal real clients: GraphQL over HTTP (httpx) and graphql-transport-ws (websockets)."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection, connect

from services.settings import Settings

# In-process apps by base URL: `gql` and `http_client` talk to them through httpx's ASGI
# transport, so a test that needs no socket runs without uvicorn or a subprocess.
_IN_PROCESS: dict[str, ASGIApp] = {}


@dataclass(frozen=True)
class InProcessServer:
    """The whole app (lifespan started) behind a URL only `gql`/`http_client` can reach."""

    url: str
    settings: Settings
    app: Starlette


@asynccontextmanager
async def in_process_server(settings: Settings) -> AsyncIterator[InProcessServer]:
    """Start `create_app(settings)`'s lifespan in this event loop; stop it on exit."""
    from graph.app import create_app

    app = create_app(settings)
    url = f"http://in-process-{uuid.uuid4().hex[:8]}"
    async with app.router.lifespan_context(app):
        _IN_PROCESS[url] = app
        try:
            yield InProcessServer(url, settings, app)
        finally:
            del _IN_PROCESS[url]


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    """An httpx client for `create_app(settings)` in this process, and the app itself."""
    async with in_process_server(settings) as server, http_client(server.url) as client:
        yield client, server.app


def http_client(url: str, timeout: float = 30) -> httpx.AsyncClient:
    """An httpx client for a live server's URL, or in-process for an `InProcessServer`'s."""
    app = _IN_PROCESS.get(url)
    if app is None:
        return httpx.AsyncClient(base_url=url, timeout=timeout)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=url, timeout=timeout)


async def gql(
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> dict[str, Any]:
    """POST a GraphQL operation; return the decoded response body."""
    async with http_client(url, timeout) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers or {},
        )
    body: dict[str, Any] = response.json()
    body["_status"] = response.status_code
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


class GraphQLWebSocket:
    """One graphql-transport-ws connection: init, subscribe, read `next` payloads."""

    def __init__(self, ws_url: str, connection_params: dict[str, Any] | None = None) -> None:
        self.ws_url = ws_url
        self.connection_params = connection_params or {}
        self.ws: ClientConnection | None = None

    async def __aenter__(self) -> "GraphQLWebSocket":
        # No client keepalive (the server pings): a test that does not read for a while leaves
        # the pong behind queued messages, and under load the client's own 20 s ping timeout
        # closed it with 1011 (test_slow_websocket_subscriber_..., seen at load 15+).
        self.ws = await connect(
            self.ws_url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            ping_interval=None,
        )
        await self.send({"type": "connection_init", "payload": self.connection_params})
        ack = await self.receive()
        if ack.get("type") != "connection_ack":
            raise AssertionError(f"expected connection_ack, got {ack}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def send(self, message: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send(json.dumps(message))

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        assert self.ws is not None
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        message: dict[str, Any] = json.loads(raw)
        return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = uuid.uuid4().hex
        await self.send(
            {
                "id": op_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return op_id

    async def next_payload(self, op_id: str, timeout: float = 10) -> dict[str, Any]:
        """The next `next` message's payload for `op_id` (pings are answered)."""
        while True:
            message = await self.receive(timeout)
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                continue
            if message.get("id") == op_id and message.get("type") in {"next", "error"}:
                payload: dict[str, Any] = (
                    message["payload"]
                    if message["type"] == "next"
                    else {"errors": message["payload"]}
                )
                return payload
            if message.get("id") == op_id and message.get("type") == "complete":
                raise AssertionError("subscription completed unexpectedly")
