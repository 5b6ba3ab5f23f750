"""Live push latency: N WebSocket subscribers on `runRecorded`, runs recorded at a steady rate;
latency = time the subscriber got the event - time the recordRun request was sent.

Run: .venv/bin/python -m bench.push [--subscribers 1000] [--events 50] [--rate 5]
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from bench.server import start, stop

QUERY = 'subscription { runRecorded(agent: "push") { id input } }'


async def subscriber(
    url: str, ready: asyncio.Event, count: list[int], latencies: list[float], expected: int
) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
        count[0] += 1
        if count[0] == count[1]:
            ready.set()
        got = 0
        while got < expected:
            message = json.loads(await ws.recv())
            if message.get("type") == "next":
                sent = message["payload"]["data"]["runRecorded"]["input"]["sentNs"]
                latencies.append((time.time_ns() - sent) / 1e6)
                got += 1


async def drive(base: str, subscribers: int, events: int, rate: float) -> list[float]:
    ws_url = base.replace("http", "ws") + "/graphql"
    ready = asyncio.Event()
    count = [0, subscribers]
    latencies: list[float] = []
    tasks = [
        asyncio.create_task(subscriber(ws_url, ready, count, latencies, events))
        for _ in range(subscribers)
    ]
    await asyncio.wait_for(ready.wait(), 120)
    await asyncio.sleep(1)  # let the last subscriptions register on the server
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(events):
            body = {
                "query": 'mutation($i: JSON) { recordRun(input: {agent: "push", '
                "status: SUCCESS, latencyMs: 1, input: $i}) { id } }",
                "variables": {"i": {"sentNs": time.time_ns(), "n": i}},
            }
            await client.post(f"{base}/graphql", json=body)
            await asyncio.sleep(1 / rate)
    await asyncio.wait_for(asyncio.gather(*tasks), 300)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--rate", type=float, default=5.0, help="runs recorded per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, _ = start(f"sqlite+aiosqlite:///{Path(tmp) / 'p.db'}")
        try:
            latencies = asyncio.run(drive(base, args.subscribers, args.events, args.rate))
        finally:
            stop(proc)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"push latency to {args.subscribers} subscribers, {args.events} runs at "
        f"{args.rate:g}/s ({len(latencies)} deliveries): p50 {q[49]:.1f} ms, "
        f"p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms"
    )


if __name__ == "__main__":
    main()
