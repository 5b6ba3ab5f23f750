"""`metricsTimeseries`: per-bucket counts, tokens, cost and exact latency percentiles in SQL.

Buckets are aligned to multiples of `bucket_seconds` since the Unix epoch (UTC), so two calls
with the same size agree on boundaries. Every bucket that overlaps [since, until) is returned,
empty ones included, so a chart needs no gap filling; the first bucket may start before
`since` and then only counts runs from `since` on. Only finished runs count.

Percentiles are nearest-rank, like `metricsSummary`: the database ranks each bucket's
latencies with `row_number() OVER (PARTITION BY bucket ORDER BY latency_ms)` and returns only
the rows at ranks ceil(p * n), computed as the integer division (p100 * n + 99) // 100, which is
exact for integer n. Python never sees the window's rows, only three per bucket.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.dialect import epoch_bucket
from models.tables import run_table
from services.errors import BadUserInput
from services.metrics.percentiles import PERCENTILES, nearest_rank, nearest_rank_sql
from services.money import from_picos
from services.records import FAILED_STATUSES, RunStatus
from services.runs import RunFilter

MIN_BUCKET_SECONDS = 10
MAX_BUCKET_SECONDS = 86_400
MAX_BUCKETS = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class MetricsBucket:
    start: datetime
    count: int = 0
    error_count: int = 0
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_p99_ms: float | None = None
    total_tokens: int = 0
    cost_usd: Decimal | None = None


@dataclass(frozen=True)
class _Totals:
    count: int
    errors: int
    tokens: int
    cost_picos: int | None


def bucket_range(since: datetime, until: datetime, bucket_seconds: int) -> range:
    """Indexes (start // bucket_seconds) of the buckets overlapping [since, until)."""
    if not MIN_BUCKET_SECONDS <= bucket_seconds <= MAX_BUCKET_SECONDS:
        raise BadUserInput(
            f"bucketSeconds must be between {MIN_BUCKET_SECONDS} and {MAX_BUCKET_SECONDS}",
            field="bucketSeconds",
        )
    size = timedelta(seconds=bucket_seconds)
    first = (since - EPOCH) // size  # exact integer arithmetic on timedeltas
    end = -((EPOCH - until) // size)  # ceil
    if end - first > MAX_BUCKETS:
        raise BadUserInput(
            f"{end - first} buckets requested; at most {MAX_BUCKETS}: widen bucketSeconds "
            "or narrow the window",
            field="bucketSeconds",
        )
    return range(first, max(first, end))


async def timeseries(
    engine: AsyncEngine, flt: RunFilter, now: datetime, bucket_seconds: int
) -> list[MetricsBucket]:
    """Buckets over [flt.since, flt.until or now); `flt.since` is required."""
    if flt.since is None:
        raise BadUserInput("`since` is required", field="since")
    until = flt.until or now
    indexes = bucket_range(flt.since, until, bucket_seconds)
    if not indexes:
        return []
    flt = RunFilter(flt.agent, flt.status, flt.since, until)
    conds = [*flt.conditions(), run_table.c.status != RunStatus.RUNNING.value]
    bucket = epoch_bucket(engine, run_table.c.started_at, bucket_seconds).label("bucket")
    async with engine.connect() as conn:
        totals = await _totals(conn, conds, bucket)
        latencies = await _percentiles(conn, conds, bucket)
    result = []
    for index in indexes:
        start = EPOCH + timedelta(seconds=index * bucket_seconds)
        t = totals.get(index)
        if t is None:
            result.append(MetricsBucket(start))
            continue
        p50, p95, p99 = latencies.get(index, (None, None, None))
        result.append(
            MetricsBucket(
                start,
                t.count,
                t.errors,
                p50,
                p95,
                p99,
                t.tokens,
                from_picos(t.cost_picos),
            )
        )
    return result


async def _totals(
    conn: AsyncConnection, conds: list[sa.ColumnElement[bool]], bucket: sa.Label[int]
) -> dict[int, _Totals]:
    failed = run_table.c.status.in_([s.value for s in FAILED_STATUSES])
    query = (
        sa.select(
            bucket,
            sa.func.count(),
            sa.func.sum(sa.case((failed, 1), else_=0)),
            sa.func.sum(run_table.c.input_tokens + run_table.c.output_tokens),
            sa.func.sum(run_table.c.cost_pusd),
        )
        .where(*conds)
        .group_by(bucket)
    )
    rows = (await conn.execute(query)).all()
    totals = {}
    for b, n, errors, tokens, cost in rows:
        picos = None if cost is None else int(cost)
        totals[int(b)] = _Totals(int(n), int(errors or 0), int(tokens or 0), picos)
    return totals


async def _percentiles(
    conn: AsyncConnection, conds: list[sa.ColumnElement[bool]], bucket: sa.Label[int]
) -> dict[int, tuple[float | None, ...]]:
    latency = run_table.c.latency_ms
    rows = (
        sa.select(bucket, latency.label("latency_ms"))
        .where(*conds, latency.is_not(None))
        .subquery()
    )
    ranked = sa.select(
        rows.c.bucket,
        rows.c.latency_ms,
        sa.func.row_number()
        .over(partition_by=rows.c.bucket, order_by=rows.c.latency_ms)
        .label("rank"),
        sa.func.count().over(partition_by=rows.c.bucket).label("n"),
    ).subquery()
    n = ranked.c.n
    wanted = [ranked.c.rank == nearest_rank_sql(p, n) for p in PERCENTILES]
    query = sa.select(ranked.c.bucket, ranked.c.n, ranked.c.rank, ranked.c.latency_ms).where(
        sa.or_(*wanted)
    )
    by_bucket: dict[int, dict[int, float]] = {}
    sizes: dict[int, int] = {}
    for b, count, rank, value in (await conn.execute(query)).all():
        by_bucket.setdefault(int(b), {})[int(rank)] = float(value)
        sizes[int(b)] = int(count)
    return {
        b: tuple(ranks.get(nearest_rank(p, sizes[b])) for p in PERCENTILES)
        for b, ranks in by_bucket.items()
    }
