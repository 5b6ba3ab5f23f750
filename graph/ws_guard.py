"""WebSocket caps that need the raw ASGI connection: connections per client address, and
dropping a client whose sends stay blocked.

100 connections x 100 subscriptions from one address were all accepted and delayed a
legitimate subscriber's events by seconds; a client that never reads kept its subscriptions
for minutes (uvicorn's `send` waits while the socket's buffer is full). Here a connection
over `max_per_client` is closed with 1013 (try again later) right after the handshake, and a
send blocked for `send_timeout` seconds ends the connection: the app then sees a disconnect
and frees every subscription of it.
"""

import asyncio
import logging
from collections import Counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
TRY_AGAIN_LATER = 1013


class WebSocketGuard:
    def __init__(self, app: ASGIApp, max_per_client: int, send_timeout: float) -> None:
        self.app = app
        self.max_per_client = max_per_client
        self.send_timeout = send_timeout
        self.connections: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if self.connections[address] >= self.max_per_client:
            log.warning(
                "refused a WebSocket from %s: %d connections open",
                address,
                self.connections[address],
            )
            await receive()  # websocket.connect
            await send({"type": "websocket.accept", "subprotocol": _first_subprotocol(scope)})
            await send(
                {
                    "type": "websocket.close",
                    "code": TRY_AGAIN_LATER,
                    "reason": "too many WebSocket connections from this address",
                }
            )
            return
        self.connections[address] += 1
        try:
            await self.app(scope, *_guarded(receive, send, self.send_timeout, address))
        finally:
            self.connections[address] -= 1
            if self.connections[address] <= 0:
                del self.connections[address]


def _first_subprotocol(scope: Scope) -> str | None:
    subprotocols: list[str] = scope.get("subprotocols") or []
    return subprotocols[0] if subprotocols else None


def _guarded(receive: Receive, send: Send, timeout: float, address: str) -> tuple[Receive, Send]:
    dropped = asyncio.Event()

    async def guarded_send(message: Message) -> None:
        if dropped.is_set():
            return  # the connection is being torn down; nothing more reaches this client
        try:
            await asyncio.wait_for(send(message), timeout)
        except TimeoutError:
            log.warning(
                "dropping the WebSocket of %s: it has not read for %.0f s", address, timeout
            )
            dropped.set()

    async def guarded_receive() -> Message:
        if dropped.is_set():
            return {"type": "websocket.disconnect", "code": 1008}
        receiving = asyncio.ensure_future(receive())
        stop = asyncio.ensure_future(dropped.wait())
        try:
            await asyncio.wait({receiving, stop}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            receiving.cancel()  # cancelled from outside: leave no pending receive behind
            raise
        finally:
            stop.cancel()
        if receiving.done():
            return receiving.result()
        receiving.cancel()
        return {"type": "websocket.disconnect", "code": 1008}

    return guarded_receive, guarded_send
