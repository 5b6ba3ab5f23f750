"""Start-up time (spawn → /health 200) and idle memory (RSS), median of 3, on a fresh SQLite file.

Run: .venv/bin/python -m bench.startup
"""

import statistics
import tempfile
import time
from pathlib import Path

from bench.server import rss_mb, start, stop


def main() -> None:
    startups, idle = [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            proc, _url, seconds = start(f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}")
            time.sleep(3)
            startups.append(seconds)
            idle.append(rss_mb(proc.pid))
            stop(proc)
    print(
        f"start-up to healthy: median {statistics.median(startups):.2f} s "
        f"(runs: {', '.join(f'{s:.2f}' for s in startups)})"
    )
    print(f"idle RSS after start: median {statistics.median(idle):.1f} MB")


if __name__ == "__main__":
    main()
