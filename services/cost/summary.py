"""`costSummary`: totals over a window, today/month relative to now, breakdowns, budget.

Never a silent $0: a total whose runs (or calls) are all UNPRICED is None, and each total
carries the count of unpriced runs beside it, so a partly priced total is recognisable
(unpriced count > 0). A total over no runs at all is 0.

All sums are integer picodollars summed by the database; byDay groups 15-minute UTC buckets
(every time zone's offset is a multiple of 15 minutes) into local days in Python, so day
boundaries follow AGENTWATCH_TIMEZONE, daylight saving included.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.dialect import epoch_bucket
from models.tables import call_table, run_table
from services.cost.budgets import BudgetStatus, budget_status
from services.cost.periods import Periods
from services.money import from_picos, known_usd
from services.records import FAILED_STATUSES, CostSource, RunStatus
from services.runs import RunFilter

BUCKET_SECONDS = 900
UNKNOWN_MODEL = "(unknown)"


@dataclass(frozen=True)
class AgentCost:
    agent: str
    runs: int
    cost_usd: Decimal | None
    unpriced_count: int = 0


@dataclass(frozen=True)
class ModelCost:
    model: str
    runs: int
    calls: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int
    cost_usd: Decimal | None
    unpriced_calls: int


@dataclass(frozen=True)
class DayCost:
    day: date
    cost_usd: Decimal | None
    runs: int
    unpriced_count: int = 0


@dataclass(frozen=True)
class CostSummary:
    runs: int
    priced_runs: int
    unpriced_runs: int
    successful_runs: int
    total_usd: Decimal | None
    failed_runs_cost_usd: Decimal | None
    failed_unpriced_runs: int
    today_usd: Decimal | None
    month_to_date_usd: Decimal | None
    projected_month_usd: Decimal | None
    by_agent: list[AgentCost]
    by_model: list[ModelCost]
    by_day: list[DayCost]
    budget: BudgetStatus

    @property
    def cost_per_successful_run_usd(self) -> Decimal | None:
        """Everything spent in the window (failures included) per successful run."""
        if self.total_usd is None or not self.successful_runs:
            return None
        return self.total_usd / self.successful_runs


def _usd(picos: object) -> Decimal:
    return from_picos(int(picos or 0)) or Decimal(0)  # type: ignore[call-overload]


def known_total(picos: object, priced: object, unpriced: object) -> Decimal | None:
    """The priced sum of SQL aggregates (`known_usd` on their raw values)."""
    return known_usd(_usd(picos), int(priced or 0), int(unpriced or 0))  # type: ignore[call-overload]


async def summarize_costs(
    engine: AsyncEngine, flt: RunFilter, now: datetime, zone: ZoneInfo
) -> CostSummary:
    conds = [*flt.conditions(), run_table.c.status != RunStatus.RUNNING.value]
    cost, status, source = run_table.c.cost_pusd, run_table.c.status, run_table.c.cost_source
    failed = status.in_([s.value for s in FAILED_STATUSES])
    unpriced = sa.case((source == CostSource.UNPRICED.value, 1), else_=0)
    totals = sa.select(
        sa.func.count(),
        sa.func.count(cost),
        sa.func.sum(unpriced),
        sa.func.sum(sa.case((status == RunStatus.SUCCESS.value, 1), else_=0)),
        sa.func.sum(cost),
        sa.func.sum(sa.case((failed, cost), else_=0)),
        sa.func.sum(sa.case((sa.and_(failed, cost.is_not(None)), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(failed, source == CostSource.UNPRICED.value), 1), else_=0)),
    ).where(*conds)
    by_agent = (
        sa.select(
            run_table.c.agent,
            sa.func.count(),
            sa.func.sum(cost),
            sa.func.count(cost),
            sa.func.sum(unpriced),
        )
        .where(*conds)
        .group_by(run_table.c.agent)
        .order_by(run_table.c.agent)
    )
    model = sa.func.coalesce(call_table.c.model, UNKNOWN_MODEL)
    by_model = (
        sa.select(
            model,
            sa.func.count(sa.distinct(call_table.c.run_id)),
            sa.func.count(),
            sa.func.sum(call_table.c.input_tokens),
            sa.func.sum(call_table.c.output_tokens),
            sa.func.sum(call_table.c.cached_input_tokens),
            sa.func.sum(call_table.c.reasoning_tokens),
            sa.func.sum(call_table.c.cost_pusd),
            sa.func.sum(sa.case((call_table.c.cost_pusd.is_(None), 1), else_=0)),
        )
        .select_from(call_table.join(run_table, run_table.c.id == call_table.c.run_id))
        .where(*conds)
        .group_by(model)
        .order_by(model)
    )
    bucket = epoch_bucket(engine, run_table.c.started_at, BUCKET_SECONDS).label("bucket")
    by_bucket = (
        sa.select(
            bucket, sa.func.sum(cost), sa.func.count(), sa.func.count(cost), sa.func.sum(unpriced)
        )
        .where(*conds)
        .group_by(bucket)
    )
    async with engine.connect() as conn:
        row = (await conn.execute(totals)).one()
        agent_rows = (await conn.execute(by_agent)).all()
        model_rows = (await conn.execute(by_model)).all()
        bucket_rows = (await conn.execute(by_bucket)).all()
    runs, priced, unpriced_runs, successes, total, failed_cost, failed_priced, failed_unpriced = row
    periods = Periods.at(now, zone)
    budget = await budget_status(engine, flt.agent, periods)
    month = budget.monthly_used_known
    fraction = periods.month_elapsed_fraction
    projected = month / Decimal(repr(fraction)) if month is not None and fraction > 0 else month
    return CostSummary(
        runs=int(runs),
        priced_runs=int(priced),
        unpriced_runs=int(unpriced_runs or 0),
        successful_runs=int(successes or 0),
        total_usd=known_total(total, priced, unpriced_runs),
        failed_runs_cost_usd=known_total(failed_cost, failed_priced, failed_unpriced),
        failed_unpriced_runs=int(failed_unpriced or 0),
        today_usd=budget.daily_used_known,  # the budget status already summed today
        month_to_date_usd=month,
        projected_month_usd=projected,
        by_agent=[
            AgentCost(a, int(n), known_total(c, p, u), int(u or 0)) for a, n, c, p, u in agent_rows
        ],
        by_model=[
            ModelCost(
                m,
                int(r),
                int(k),
                int(i),
                int(o),
                int(c),
                int(rs),
                known_total(p, int(k) - int(u), u),
                int(u),
            )
            for m, r, k, i, o, c, rs, p, u in model_rows
        ],
        by_day=_days(bucket_rows, zone),
        budget=budget,
    )


def _days(rows: Sequence[sa.Row[Any]], zone: ZoneInfo) -> list[DayCost]:
    days: dict[date, tuple[int, int, int, int]] = {}
    for row in rows:
        bucket, picos, runs, priced, unpriced = tuple(row)
        day = datetime.fromtimestamp(int(bucket) * BUCKET_SECONDS, zone).date()
        p, r, k, u = days.get(day, (0, 0, 0, 0))
        days[day] = (p + int(picos or 0), r + int(runs), k + int(priced), u + int(unpriced or 0))
    return [DayCost(day, known_total(p, k, u), r, u) for day, (p, r, k, u) in sorted(days.items())]
