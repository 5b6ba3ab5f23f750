"""Daily and monthly USD budgets, per agent and overall, and how much of them is used."""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.dialect import insert_for
from models.tables import agent_table, run_table, setting_table
from services.cost.periods import Periods
from services.errors import AgentNotFound
from services.money import from_picos

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
    daily_used_usd: Decimal
    monthly_used_usd: Decimal

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


async def spent_since(engine: AsyncEngine, agent: str | None, since: object) -> Decimal:
    query = sa.select(sa.func.coalesce(sa.func.sum(run_table.c.cost_pusd), 0)).where(
        run_table.c.started_at >= since
    )
    if agent is not None:
        query = query.where(run_table.c.agent == agent)
    async with engine.connect() as conn:
        picos = (await conn.execute(query)).scalar_one()
    return from_picos(picos) or Decimal(0)


async def budget_status(engine: AsyncEngine, agent: str | None, periods: Periods) -> BudgetStatus:
    budget = await get_budget(engine, agent)
    return BudgetStatus(
        agent=agent,
        budget=budget,
        daily_used_usd=await spent_since(engine, agent, periods.day_start),
        monthly_used_usd=await spent_since(engine, agent, periods.month_start),
    )


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
