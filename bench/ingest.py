"""Ingestion throughput: `recordRun` mutations over HTTP from wrk, then a check of what is stored.

Run: .venv/bin/python -m bench.ingest [--seconds 10] [--connections 64] [--database-url URL]
Needs Debian's `wrk` (Python HTTP clients top out near 160 req/s here and would measure
themselves). The server answers a recordRun only after its commit, so wrk's request rate is the
stored rate; the stored count is read back to prove it.
"""

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx

from bench.server import start, stop

SCRIPT = Path(__file__).resolve().parent / "record_run.lua"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("install wrk first: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}"
        proc, base, _ = start(url)
        try:
            out = subprocess.run(
                [
                    "wrk",
                    "-t1",
                    f"-c{args.connections}",
                    f"-d{args.seconds}s",
                    "-s",
                    str(SCRIPT),
                    f"{base}/graphql",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            stored = httpx.post(
                f"{base}/graphql", json={"query": "{ metricsSummary { count } }"}
            ).json()["data"]["metricsSummary"]["count"]
        finally:
            stop(proc)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    print(
        f"recordRun over HTTP: {rate:,.0f} runs/s ({requests} requests, {stored} stored, "
        f"{errors.group(1) if errors else 0} non-2xx; {args.connections} connections, "
        f"{url.split(':')[0]})"
    )


if __name__ == "__main__":
    main()
