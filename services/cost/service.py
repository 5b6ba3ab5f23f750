"""`Costs`: the cost domain bound to the engine, the clock, the writer and the time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from services.clock import Clock
from services.cost.budgets import Budget, BudgetStatus, budget_status, set_budget
from services.cost.periods import Periods
from services.cost.price_store import PriceStore
from services.cost.recompute import Transact, recompute_costs
from services.cost.suggestions import Suggestion, cost_suggestions
from services.cost.summary import CostSummary, summarize_costs
from services.runs import RunFilter


class Costs:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        zone: ZoneInfo,
        prices: PriceStore,
        transact: Transact,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._zone = zone
        self._prices = prices
        self._transact = transact

    async def summary(self, flt: RunFilter) -> CostSummary:
        return await summarize_costs(self._engine, flt, self._clock.now(), self._zone)

    async def suggestions(self, since: datetime | None) -> list[Suggestion]:
        return await cost_suggestions(self._engine, since, self._clock.now())

    async def recompute(self, since: datetime | None, until: datetime | None) -> int:
        """Re-price stored runs in the window through the writer; the number of runs changed."""
        return await recompute_costs(self._engine, self._transact, self._prices.book, since, until)

    async def budget_status(self, agent: str | None) -> BudgetStatus:
        periods = Periods.at(self._clock.now(), self._zone)
        return await budget_status(self._engine, agent, periods)

    async def set_budget(self, agent: str | None, budget: Budget) -> BudgetStatus:
        """Store the budget (None = overall) and return its status now."""
        await set_budget(self._engine, agent, budget)
        return await self.budget_status(agent)
