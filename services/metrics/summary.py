"""`metricsSummary`: counts, rates, exact latency percentiles and token totals in SQL.

Percentiles use the nearest-rank rule of `percentiles.py` over the finished runs' latencies. The
database ranks the rows with `row_number() OVER (ORDER BY latency_ms)` and returns only the three
rows at those ranks, so Python never sees the window's rows. The same SQL runs on SQLite (which
has no percentile function) and PostgreSQL, so both give identical answers.
"""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.tables import run_table
from services.metrics.percentiles import PERCENTILES, nearest_rank
from services.money import from_picos
from services.records import FINISHED_STATUSES, CostSource, RunStatus
from services.runs import RunFilter


@dataclass(frozen=True)
class MetricsSummary:
    count: int
    success_count: int
    error_count: int
    timeout_count: int
    running_count: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_p99_ms: float | None
    total_tokens: int
    input_tokens: int
    output_tokens: int
    total_cost_usd: Decimal | None
    unpriced_count: int

    @property
    def failure_count(self) -> int:
        return self.error_count + self.timeout_count

    @property
    def success_rate(self) -> float | None:
        return self.success_count / self.count if self.count else None

    @property
    def error_rate(self) -> float | None:
        return self.failure_count / self.count if self.count else None


async def summarize(engine: AsyncEngine, flt: RunFilter) -> MetricsSummary:
    conds = flt.conditions()
    status = run_table.c.status

    def count_of(value: RunStatus) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((status == value.value, 1), else_=0)), 0)

    totals = sa.select(
        count_of(RunStatus.SUCCESS),
        count_of(RunStatus.ERROR),
        count_of(RunStatus.TIMEOUT),
        count_of(RunStatus.RUNNING),
        sa.func.count(run_table.c.latency_ms).filter(status != RunStatus.RUNNING.value),
        sa.func.coalesce(sa.func.sum(run_table.c.input_tokens), 0),
        sa.func.coalesce(sa.func.sum(run_table.c.output_tokens), 0),
        sa.func.sum(run_table.c.cost_pusd).filter(status != RunStatus.RUNNING.value),
        sa.func.count().filter(
            status != RunStatus.RUNNING.value, run_table.c.cost_source == CostSource.UNPRICED.value
        ),
    ).where(*conds)
    async with engine.connect() as conn:
        row = (await conn.execute(totals)).one()
        success, error, timeout, running, latency_n, tokens_in, tokens_out = (
            int(v) for v in row[:7]
        )
        cost_picos, unpriced = row[7], int(row[8])
        percentiles = await _percentiles(conn, conds, latency_n)
    return MetricsSummary(
        count=success + error + timeout,
        success_count=success,
        error_count=error,
        timeout_count=timeout,
        running_count=running,
        latency_p50_ms=percentiles[0],
        latency_p95_ms=percentiles[1],
        latency_p99_ms=percentiles[2],
        total_tokens=tokens_in + tokens_out,
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        total_cost_usd=from_picos(cost_picos),
        unpriced_count=unpriced,
    )


async def _percentiles(
    conn: AsyncConnection, conds: list[sa.ColumnElement[bool]], n: int
) -> list[float | None]:
    if n == 0:
        return [None for _ in PERCENTILES]
    ranks = [nearest_rank(p, n) for p in PERCENTILES]
    ranked = (
        sa.select(
            run_table.c.latency_ms.label("latency_ms"),
            sa.func.row_number().over(order_by=run_table.c.latency_ms).label("rank"),
        )
        .where(
            *conds,
            run_table.c.latency_ms.is_not(None),
            run_table.c.status.in_([s.value for s in FINISHED_STATUSES]),
        )
        .subquery()
    )
    query = sa.select(ranked.c.rank, ranked.c.latency_ms).where(ranked.c.rank.in_(set(ranks)))
    by_rank = {int(r): float(v) for r, v in (await conn.execute(query)).all()}
    return [by_rank.get(rank) for rank in ranks]
