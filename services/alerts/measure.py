"""Measure a rule's metric at an instant, from the indexed runs of its window."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.tables import run_table
from services.alerts.rules import AlertRule, Metric
from services.cost import Periods, budget_status
from services.metrics import summarize
from services.money import from_picos
from services.records import FAILED_STATUSES, FINISHED_STATUSES, RunStatus
from services.runs import RunFilter

CONSECUTIVE_LOOKBACK = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Reading:
    """`value` None: nothing to compare (no data, or no budget set)."""

    value: float | None
    samples: int


async def measure(engine: AsyncEngine, rule: AlertRule, now: datetime, zone: ZoneInfo) -> Reading:
    since = now - timedelta(seconds=rule.window_seconds)
    scope = [run_table.c.agent == rule.agent] if rule.agent else []
    window = [*scope, run_table.c.started_at >= since, run_table.c.started_at <= now]
    if rule.metric in (Metric.LATENCY_P95_MS, Metric.LATENCY_P99_MS):
        summary = await summarize(engine, RunFilter(rule.agent, None, since, None))
        value = (
            summary.latency_p95_ms
            if rule.metric is Metric.LATENCY_P95_MS
            else summary.latency_p99_ms
        )
        return Reading(value, summary.count)
    if rule.metric in (Metric.DAILY_BUDGET_USED, Metric.MONTHLY_BUDGET_USED):
        status = await budget_status(engine, rule.agent, Periods.at(now, zone))
        used = (
            status.daily_used_fraction
            if rule.metric is Metric.DAILY_BUDGET_USED
            else status.monthly_used_fraction
        )
        return Reading(used, 1)
    if rule.metric is Metric.CONSECUTIVE_FAILURES:
        return Reading(float(await _consecutive_failures(engine, scope)), 1)
    finished = run_table.c.status.in_([s.value for s in FINISHED_STATUSES])
    failed = run_table.c.status.in_([s.value for s in FAILED_STATUSES])
    query = sa.select(
        sa.func.count(),
        sa.func.count().filter(finished),
        sa.func.count().filter(failed),
        sa.func.sum(run_table.c.cost_pusd).filter(finished),
    ).where(*window)
    async with engine.connect() as conn:
        started, done, failures, picos = (await conn.execute(query)).one()
    if rule.metric is Metric.RUN_COUNT:
        return Reading(float(started), int(started))
    if rule.metric is Metric.ERROR_RATE:
        return Reading(failures / done if done else None, int(done))
    cost = from_picos(picos)
    return Reading(float(cost) if cost is not None else 0.0, int(done))


async def _consecutive_failures(engine: AsyncEngine, scope: list[sa.ColumnElement[bool]]) -> int:
    """Failed runs since the most recent successful one (newest first, finished runs only)."""
    finished = run_table.c.status.in_([s.value for s in FINISHED_STATUSES])
    last_success = (
        sa.select(run_table.c.started_at)
        .where(*scope, run_table.c.status == RunStatus.SUCCESS.value)
        .order_by(run_table.c.started_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    recent = (
        sa.select(run_table.c.id)
        .where(
            *scope,
            finished,
            run_table.c.started_at
            > sa.func.coalesce(last_success, sa.literal(EPOCH, run_table.c.started_at.type)),
        )
        .limit(CONSECUTIVE_LOOKBACK)
        .subquery()
    )
    async with engine.connect() as conn:
        return int(
            (await conn.execute(sa.select(sa.func.count()).select_from(recent))).scalar_one()
        )
