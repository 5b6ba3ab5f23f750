"""Pub/sub: bounded per-subscriber queues, a stuck subscriber never delays others, and
subscribers are removed however their socket closes."""

import asyncio
import json
import time
from collections.abc import Callable

import httpx
from websockets.asyncio.client import connect

from services.pubsub import Broker
from tests.support.client import GraphQLWebSocket, gql
from tests.support.server import LiveServer


async def test_stuck_subscriber_drops_its_own_oldest_events_only() -> None:
    broker: Broker[int] = Broker(queue_size=100)
    async with broker.subscribe() as stuck, broker.subscribe(lambda n: n % 2 == 0) as evens:
        received: list[int] = []

        async def consume() -> None:
            async for n in evens:
                received.append(n)
                if n == 9_998:
                    return

        consumer = asyncio.create_task(consume())
        started = time.perf_counter()
        for n in range(10_000):
            broker.publish(n)
            if n % 50 == 0:
                await asyncio.sleep(0)  # let the healthy consumer keep up
        publish_seconds = time.perf_counter() - started
        await asyncio.wait_for(consumer, 5)
        assert received == list(range(0, 10_000, 2))  # complete and in order
        assert stuck.pending == 100 and stuck.dropped == 9_900
        assert [await stuck.get() for _ in range(3)] == [9_900, 9_901, 9_902]  # newest kept
        # Behaviour, not a benchmark: publishing never waited on the stuck subscriber.
        assert publish_seconds < 5
    assert broker.subscriber_count == 0


async def test_slow_websocket_subscriber_does_not_block_runs_or_others(
    live_server: LiveServer,
) -> None:
    slow = await connect(live_server.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await slow.send(json.dumps({"type": "connection_init", "payload": {}}))
    await slow.recv()
    await slow.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": "subscription { runRecorded { id input } }"},
            }
        )
    )
    # `slow` never reads again.
    try:
        async with GraphQLWebSocket(live_server.ws_url) as fast:
            op = await fast.subscribe('subscription { runRecorded(agent: "bulk") { id } }')
            await asyncio.sleep(0.3)
            payload = {"blob": "z" * 30_000}
            ids = []
            for i in range(60):
                body = await gql(
                    live_server.url,
                    """mutation($input: JSON) { recordRun(input:
                    {agent: "bulk", status: SUCCESS, latencyMs: 5, input: $input}) { id } }""",
                    {"input": {**payload, "i": i}},
                )
                ids.append(body["data"]["recordRun"]["id"])
            got = [(await fast.next_payload(op))["data"]["runRecorded"]["id"] for _ in ids]
        assert got == ids
    finally:
        await slow.close()


async def test_abruptly_closed_subscribers_are_removed(live_server: LiveServer) -> None:
    release = asyncio.Event()

    async def one(i: int) -> None:
        ws = await connect(live_server.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        await ws.recv()
        await ws.send(
            json.dumps(
                {
                    "id": str(i),
                    "type": "subscribe",
                    "payload": {"query": "subscription { runRecorded { id } }"},
                }
            )
        )
        await release.wait()
        if i % 2:
            ws.transport.abort()  # TCP reset: no close frame at all
        else:
            await ws.close()

    async def subscribers() -> int:
        async with httpx.AsyncClient() as client:
            body = (await client.get(f"{live_server.url}/health")).json()
        return int(body["subscribers"])

    async def wait_for(predicate: Callable[[int], bool]) -> int:
        deadline = time.monotonic() + 20
        while not predicate(count := await subscribers()) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return count

    tasks = [asyncio.create_task(one(i)) for i in range(200)]
    peak = await wait_for(lambda n: n == 200)
    release.set()
    await asyncio.gather(*tasks)
    left = await wait_for(lambda n: n == 0)
    assert peak == 200
    assert left == 0
