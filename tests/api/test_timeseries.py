"""metricsTimeseries equals a brute-force per-bucket computation, on both databases."""

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from graph.context import Context, alert_events_loader, calls_loader
from graph.schema import schema
from services.api_keys import ANONYMOUS
from services.errors import BadUserInput
from services.metrics import EPOCH, MetricsBucket, bucket_range, timeseries
from services.platform import Platform
from services.records import CostSource, RunErrorInfo, RunRecord, RunStatus
from services.runs import RunFilter

BASE = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
NOW = BASE + timedelta(hours=3)


def nearest_rank(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct * len(ordered) / 100)) - 1]


@dataclass
class Expected:
    runs: list[RunRecord]

    def bucket(self, start: datetime) -> MetricsBucket:
        latencies = [r.latency_ms for r in self.runs if r.latency_ms is not None]
        costs = [r.cost_usd for r in self.runs if r.cost_usd is not None]
        return MetricsBucket(
            start=start,
            count=len(self.runs),
            error_count=sum(r.status is not RunStatus.SUCCESS for r in self.runs),
            latency_p50_ms=nearest_rank(latencies, 50),
            latency_p95_ms=nearest_rank(latencies, 95),
            latency_p99_ms=nearest_rank(latencies, 99),
            total_tokens=sum(r.total_tokens for r in self.runs),
            cost_usd=sum(costs, Decimal(0)) if costs else None,
            unpriced_count=sum(r.cost_source is CostSource.UNPRICED for r in self.runs),
        )


def brute_force(
    runs: list[RunRecord], since: datetime, until: datetime, size: int, agent: str | None
) -> list[MetricsBucket]:
    first = math.floor((since - EPOCH).total_seconds() / size)
    last = math.ceil((until - EPOCH).total_seconds() / size)
    buckets: dict[int, Expected] = {i: Expected([]) for i in range(first, last)}
    for run in runs:
        if run.status is RunStatus.RUNNING or not since <= run.started_at < until:
            continue
        if agent is not None and run.agent != agent:
            continue
        buckets[math.floor((run.started_at - EPOCH).total_seconds() / size)].runs.append(run)
    return [e.bucket(EPOCH + timedelta(seconds=i * size)) for i, e in sorted(buckets.items())]


def random_runs(rng: random.Random, n: int) -> list[RunRecord]:
    runs = []
    for i in range(n):
        status = rng.choice(
            [RunStatus.SUCCESS] * 6 + [RunStatus.ERROR, RunStatus.TIMEOUT, RunStatus.RUNNING]
        )
        # Clustered start times so some buckets hold many runs and some none; microseconds too.
        offset = rng.choice([rng.uniform(0, 3 * 3600), rng.uniform(3600, 3700)])
        latency = None if i % 17 == 0 else (250.0 if i % 7 == 0 else round(rng.uniform(5, 9e3), 1))
        priced = i % 5 != 0
        runs.append(
            RunRecord(
                id=f"{i:08d}-0000-0000-0000-000000000000",
                agent=rng.choice(["a", "b"]),
                status=status,
                started_at=BASE + timedelta(seconds=offset),
                latency_ms=None if status is RunStatus.RUNNING else latency,
                input_tokens=rng.randint(0, 900),
                output_tokens=rng.randint(0, 300),
                calls=(),
                error=None if status is RunStatus.SUCCESS else RunErrorInfo("x", "E"),
                cost_usd=Decimal(rng.randint(1, 10**6)).scaleb(-9) if priced else None,
                cost_source=CostSource.REPORTED if priced else CostSource.UNPRICED,
            )
        )
    return runs


async def test_buckets_match_brute_force(platform: Platform) -> None:
    runs = random_runs(random.Random(5), 1200)
    # One bucket of agent "c" holds 199 latencies: p99's rank ceil(0.99 * 199) = 198 is where
    # an off-by-one in the rank arithmetic shows.
    runs += [
        RunRecord(
            id=f"c{i:07d}-0000-0000-0000-000000000000",
            agent="c",
            status=RunStatus.SUCCESS,
            started_at=BASE + timedelta(hours=2, seconds=i / 10),
            latency_ms=float(1000 - i),
            calls=(),
        )
        for i in range(199)
    ]
    for run in runs:
        await platform.writer.insert(run)
    cases = [
        (BASE, NOW, 60, None),
        (BASE + timedelta(seconds=17.5), NOW - timedelta(minutes=7, seconds=3), 300, "a"),
        (BASE + timedelta(minutes=59), BASE + timedelta(minutes=63), 10, "b"),
        (BASE - timedelta(days=1), NOW, 3600, None),
        (BASE, BASE + timedelta(hours=3), 86_400, None),
        (BASE + timedelta(hours=2), BASE + timedelta(hours=2, minutes=1), 60, "c"),
    ]
    for since, until, size, agent in cases:
        got = await timeseries(platform.engine, RunFilter(agent, None, since, until), NOW, size)
        expected = brute_force(runs, since, until, size, agent)
        assert got == expected, (since, until, size, agent)
        assert sum(b.count for b in got) > 0
    # `until` defaults to now: the open window equals the explicit one.
    open_ended = await timeseries(platform.engine, RunFilter(since=BASE), NOW, 600)
    assert open_ended == brute_force(runs, BASE, NOW, 600, None)
    assert [b.start.minute for b in open_ended[:3]] == [0, 10, 20]


def test_bucket_limits() -> None:
    assert len(bucket_range(BASE, BASE + timedelta(seconds=5000), 10)) == 500
    assert bucket_range(BASE, BASE, 60) == range(0)
    with pytest.raises(BadUserInput, match="at most 500"):
        bucket_range(BASE, BASE + timedelta(seconds=5001), 10)
    for size in (9, 86_401, 0, -60):
        with pytest.raises(BadUserInput, match="bucketSeconds"):
            bucket_range(BASE, NOW, size)


QUERY = """query($since: DateTime!, $until: DateTime, $size: Int!) {
  metricsTimeseries(since: $since, until: $until, bucketSeconds: $size) {
    start count errorCount latencyP50Ms latencyP95Ms latencyP99Ms totalTokens costUsd } }"""


async def test_graphql_field(platform: Platform) -> None:
    await platform.writer.insert(
        RunRecord(
            id="00000001-0000-0000-0000-000000000000",
            agent="a",
            status=RunStatus.ERROR,
            started_at=BASE + timedelta(seconds=65),
            latency_ms=120.0,
            input_tokens=10,
            output_tokens=5,
            calls=(),
            error=RunErrorInfo("boom", "E"),
            cost_usd=Decimal("0.25"),
            cost_source=CostSource.REPORTED,
        )
    )
    context = Context(
        platform=platform,
        calls=calls_loader(platform),
        alert_events=alert_events_loader(platform),
        principal=ANONYMOUS,
    )

    async def run(variables: dict[str, Any]) -> Any:
        return await schema.execute(QUERY, variables, context_value=context)

    ok = await run(
        {"since": BASE.isoformat(), "until": (BASE + timedelta(minutes=3)).isoformat(), "size": 60}
    )
    assert ok.errors is None and ok.data is not None
    assert ok.data["metricsTimeseries"] == [
        {
            "start": BASE.isoformat(),
            "count": 0,
            "errorCount": 0,
            "latencyP50Ms": None,
            "latencyP95Ms": None,
            "latencyP99Ms": None,
            "totalTokens": 0,
            "costUsd": None,
        },
        {
            "start": (BASE + timedelta(minutes=1)).isoformat(),
            "count": 1,
            "errorCount": 1,
            "latencyP50Ms": 120.0,
            "latencyP95Ms": 120.0,
            "latencyP99Ms": 120.0,
            "totalTokens": 15,
            "costUsd": 0.25,
        },
        {
            "start": (BASE + timedelta(minutes=2)).isoformat(),
            "count": 0,
            "errorCount": 0,
            "latencyP50Ms": None,
            "latencyP95Ms": None,
            "latencyP99Ms": None,
            "totalTokens": 0,
            "costUsd": None,
        },
    ]
    for variables, field in (
        ({"since": BASE.isoformat(), "until": NOW.isoformat(), "size": 10}, "bucketSeconds"),
        ({"since": BASE.isoformat(), "until": NOW.isoformat(), "size": 5}, "bucketSeconds"),
        ({"since": NOW.isoformat(), "until": BASE.isoformat(), "size": 60}, "since"),
    ):
        bad = await run(variables)
        assert bad.data is None and bad.errors is not None
        assert bad.errors[0].extensions == {"code": "BAD_USER_INPUT", "field": field}


DEFAULT_WINDOW = """query($until: DateTime) {
  metricsTimeseries(until: $until, bucketSeconds: 3600) { start count } }"""


async def test_since_defaults_to_the_last_24_hours(platform: Platform) -> None:
    """README examples omit `since`: it must work on any day (a fixed date broke in a month)."""
    context = Context(
        platform=platform,
        calls=calls_loader(platform),
        alert_events=alert_events_loader(platform),
        principal=ANONYMOUS,
    )
    pinned = await schema.execute(DEFAULT_WINDOW, {"until": NOW.isoformat()}, context_value=context)
    assert pinned.errors is None and pinned.data is not None
    starts = [b["start"] for b in pinned.data["metricsTimeseries"]]
    assert starts[0] == (NOW - timedelta(hours=24)).isoformat() and len(starts) == 24
    before = platform.clock.now()
    open_ended = await schema.execute(DEFAULT_WINDOW, context_value=context)
    assert open_ended.errors is None and open_ended.data is not None
    first = datetime.fromisoformat(open_ended.data["metricsTimeseries"][0]["start"])
    assert before - timedelta(hours=25) < first <= before - timedelta(hours=24)
