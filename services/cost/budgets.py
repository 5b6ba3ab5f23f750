"""Daily and monthly USD budgets, per agent and overall, and how much of them is used."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.dialect import insert_for
from models.tables import agent_table, run_table, setting_table
from services.cost.periods import Periods
from services.errors import AgentNotFound
from services.money import from_picos, known_usd
from services.records import CostSource

OVERALL_KEY = "budget"


@dataclass(frozen=True)
class Budget:
    daily_usd: Decimal | None = None
    monthly_usd: Decimal | None = None


@dataclass(frozen=True)
class BudgetStatus:
    """A budget and its use; `agent=None` is the overall budget (all agents)."""

    agent: str | None
    budget: Budget
    daily_used_usd: Decimal  # priced spend only (what budget fractions and alerts use)
    monthly_used_usd: Decimal
    daily_spend: "Spend | None" = None  # priced/unpriced run counts behind the two sums
    monthly_spend: "Spend | None" = None

    @property
    def daily_used_known(self) -> Decimal | None:
        """daily_used_usd, or None when every run of the day is unpriced (never a silent 0)."""
        return _known(self.daily_used_usd, self.daily_spend)

    @property
    def monthly_used_known(self) -> Decimal | None:
        return _known(self.monthly_used_usd, self.monthly_spend)

    @property
    def daily_remaining_usd(self) -> Decimal | None:
        daily = self.budget.daily_usd
        return None if daily is None else daily - self.daily_used_usd

    @property
    def monthly_remaining_usd(self) -> Decimal | None:
        monthly = self.budget.monthly_usd
        return None if monthly is None else monthly - self.monthly_used_usd

    @property
    def daily_used_fraction(self) -> float | None:
        return _fraction(self.daily_used_usd, self.budget.daily_usd)

    @property
    def monthly_used_fraction(self) -> float | None:
        return _fraction(self.monthly_used_usd, self.budget.monthly_usd)


@dataclass(frozen=True)
class Spend:
    """Priced spend since an instant, with the runs behind it."""

    usd: Decimal
    priced_runs: int
    unpriced_runs: int


def _known(used: Decimal, spend: Spend | None) -> Decimal | None:
    return used if spend is None else known_usd(used, spend.priced_runs, spend.unpriced_runs)


def _fraction(used: Decimal, budget: Decimal | None) -> float | None:
    if budget is None:
        return None
    if budget == 0:
        return float("inf") if used > 0 else 0.0
    return float(used / budget)


async def get_budget(engine: AsyncEngine, agent: str | None) -> Budget:
    async with engine.connect() as conn:
        if agent is None:
            value = (
                await conn.execute(
                    sa.select(setting_table.c.value).where(setting_table.c.key == OVERALL_KEY)
                )
            ).scalar()
            value = value or {}
            return Budget(_dec(value.get("dailyUsd")), _dec(value.get("monthlyUsd")))
        row = (
            await conn.execute(
                sa.select(agent_table.c.daily_budget_usd, agent_table.c.monthly_budget_usd).where(
                    agent_table.c.name == agent
                )
            )
        ).first()
    if row is None:
        raise AgentNotFound(f"no agent named {agent!r}", agent=agent)
    return Budget(row[0], row[1])


async def set_budget(engine: AsyncEngine, agent: str | None, budget: Budget) -> None:
    async with engine.begin() as conn:
        if agent is None:
            value = {"dailyUsd": _text(budget.daily_usd), "monthlyUsd": _text(budget.monthly_usd)}
            stmt = insert_for(engine)(setting_table).values(key=OVERALL_KEY, value=value)
            await conn.execute(
                stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value})
            )
            return
        result = await conn.execute(
            sa.update(agent_table)
            .where(agent_table.c.name == agent)
            .values(daily_budget_usd=budget.daily_usd, monthly_budget_usd=budget.monthly_usd)
        )
        if not result.rowcount:
            raise AgentNotFound(f"no agent named {agent!r}", agent=agent)


async def spent_since(engine: AsyncEngine, agent: str | None, since: object) -> Spend:
    """Priced spend of runs started from `since`, and how many runs were (un)priced."""
    cost = run_table.c.cost_pusd
    unpriced = sa.case((run_table.c.cost_source == CostSource.UNPRICED.value, 1), else_=0)
    query = sa.select(
        sa.func.coalesce(sa.func.sum(cost), 0), sa.func.count(cost), sa.func.sum(unpriced)
    ).where(run_table.c.started_at >= since)
    if agent is not None:
        query = query.where(run_table.c.agent == agent)
    async with engine.connect() as conn:
        picos, priced, unpriced_runs = (await conn.execute(query)).one()
    return Spend(from_picos(picos) or Decimal(0), int(priced), int(unpriced_runs or 0))


async def budget_status(engine: AsyncEngine, agent: str | None, periods: Periods) -> BudgetStatus:
    budget = await get_budget(engine, agent)
    day = await spent_since(engine, agent, periods.day_start)
    month = await spent_since(engine, agent, periods.month_start)
    return BudgetStatus(
        agent=agent,
        budget=budget,
        daily_used_usd=day.usd,
        monthly_used_usd=month.usd,
        daily_spend=day,
        monthly_spend=month,
    )


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


async def all_budgets(engine: AsyncEngine, periods: Periods) -> list[BudgetStatus]:
    """The overall budget first (even if unset), then every agent with a budget, by name."""
    query = (
        sa.select(agent_table.c.name)
        .where(
            sa.or_(
                agent_table.c.daily_budget_usd.is_not(None),
                agent_table.c.monthly_budget_usd.is_not(None),
            )
        )
        .order_by(agent_table.c.name)
    )
    async with engine.connect() as conn:
        names = (await conn.execute(query)).scalars().all()
    return [await budget_status(engine, agent, periods) for agent in (None, *names)]
