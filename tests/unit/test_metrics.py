"""metricsSummary percentiles equal a brute-force nearest-rank computation, on both databases."""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from services.metrics import summarize
from services.platform import Platform
from services.records import RunErrorInfo, RunRecord, RunStatus
from services.runs import RunFilter

BASE = datetime(2026, 2, 1, tzinfo=UTC)


def brute_force(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct * len(ordered) / 100)) - 1]


@pytest.mark.parametrize("n", [1, 2, 19, 20, 101, 997])
async def test_percentiles_match_brute_force(platform: Platform, n: int) -> None:
    rng = random.Random(n)
    runs = []
    for i in range(n):
        status = rng.choice([RunStatus.SUCCESS] * 8 + [RunStatus.ERROR, RunStatus.TIMEOUT])
        runs.append(
            RunRecord(
                id=f"{i:08d}-0000-0000-0000-000000000000",
                agent=rng.choice(["a", "b"]),
                status=status,
                started_at=BASE + timedelta(seconds=i),
                latency_ms=round(rng.lognormvariate(6, 1), 1) if i % 10 else 250.0,  # ties too
                input_tokens=rng.randint(0, 900),
                output_tokens=rng.randint(0, 300),
                calls=(),
                error=None if status is RunStatus.SUCCESS else RunErrorInfo("x", "E"),
            )
        )
    await platform.writer.insert(
        RunRecord(  # a running run never counts
            id="ffffffff-0000-0000-0000-000000000000",
            agent="a",
            status=RunStatus.RUNNING,
            started_at=BASE,
            calls=(),
        )
    )
    for run in runs:
        await platform.writer.insert(run)
    windows = [
        (RunFilter(), runs),
        (RunFilter(agent="a"), [r for r in runs if r.agent == "a"]),
        (
            RunFilter(since=BASE + timedelta(seconds=n // 3), until=BASE + timedelta(seconds=n)),
            runs[n // 3 :],
        ),
    ]
    for flt, expected in windows:
        summary = await summarize(platform.engine, flt)
        latencies = [r.latency_ms for r in expected if r.latency_ms is not None]
        assert summary.count == len(expected)
        assert summary.latency_p50_ms == brute_force(latencies, 50)
        assert summary.latency_p95_ms == brute_force(latencies, 95)
        assert summary.latency_p99_ms == brute_force(latencies, 99)
        assert summary.success_count == sum(r.status is RunStatus.SUCCESS for r in expected)
        assert summary.failure_count == summary.count - summary.success_count
        assert summary.total_tokens == sum(r.total_tokens for r in expected)
    empty = await summarize(platform.engine, RunFilter(agent="nobody"))
    assert empty.count == 0 and empty.latency_p99_ms is None and empty.error_rate is None
