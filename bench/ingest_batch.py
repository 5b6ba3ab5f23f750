"""Batched ingestion throughput: `recordRuns` with N runs per request, C concurrent clients.

Run: .venv/bin/python -m bench.ingest_batch [--batch 500] [--requests 40] [--concurrency 4]
The server answers after every run of the request is committed; the stored count is read back.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.server import start, stop

MUTATION = "mutation($runs: [RecordRunInput!]!) { recordRuns(runs: $runs) { count } }"


def batch(n: int, offset: int) -> list[dict[str, object]]:
    return [
        {
            "agent": f"bench-{(offset + i) % 8}",
            "status": "SUCCESS" if i % 20 else "ERROR",
            "latencyMs": 100 + (offset + i) % 900,
            "model": "gpt-4o-mini",
            "inputTokens": 500,
            "outputTokens": 80,
        }
        for i in range(n)
    ]


async def drive(url: str, size: int, requests: int, concurrency: int) -> float:
    payloads: list[dict[str, Any]] = [
        {"query": MUTATION, "variables": {"runs": batch(size, r * size)}} for r in range(requests)
    ]
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)
    async with httpx.AsyncClient(timeout=120) as client:

        async def worker() -> None:
            while not queue.empty():
                response = await client.post(f"{url}/graphql", json=queue.get_nowait())
                assert "errors" not in response.json(), response.text[:500]

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        count = (
            await client.post(f"{url}/graphql", json={"query": "{ metricsSummary { count } }"})
        ).json()["data"]["metricsSummary"]["count"]
    assert count == size * requests, (count, size * requests)
    return float(count) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}"
        proc, base, _ = start(url, {"AGENTWATCH_WRITE_BATCH_SIZE": "1000"})
        try:
            rate = asyncio.run(drive(base, args.batch, args.requests, args.concurrency))
        finally:
            stop(proc)
    print(
        f"recordRuns over HTTP: {rate:,.0f} runs/s stored ({args.requests} requests of "
        f"{args.batch} runs, {args.concurrency} concurrent, {url.split(':')[0]})"
    )


if __name__ == "__main__":
    main()
