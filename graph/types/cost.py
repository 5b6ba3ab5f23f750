"""Cost types: sources, model prices, summaries, budgets and savings suggestions."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph.enums import CostSource, CostSuggestionKind
from services.cost import Alias, CatalogEntry, Override, Suggestion
from services.cost import BudgetStatus as Status
from services.cost import CostSummary as CostSummaryRecord


def usd(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(description="A model price per million tokens (an override or the catalog's).")
class ModelPrice:
    model: str = strawberry.field(description="Model name as reported by calls (exact match).")
    source: CostSource = strawberry.field(description="OVERRIDE or CATALOG.")
    provider: str | None = strawberry.field(description="Provider of catalog entries.")
    priced_as: str | None = strawberry.field(description="Catalog `provider:model` id matched.")
    input_per_million: float | None = strawberry.field(description="USD per 1M input tokens.")
    output_per_million: float | None = strawberry.field(description="USD per 1M output tokens.")
    cache_read_per_million: float | None = strawberry.field(description="USD per 1M cached.")
    cache_write_per_million: float | None = strawberry.field(description="USD per 1M written.")
    effective_from: datetime | None = strawberry.field(
        description="Applies to calls from this instant; null = at all times."
    )

    @classmethod
    def from_override(cls, o: Override) -> "ModelPrice":
        return cls(
            model=o.model,
            source=CostSource.OVERRIDE,
            provider=None,
            priced_as=None,
            input_per_million=float(o.input_per_million),
            output_per_million=float(o.output_per_million),
            cache_read_per_million=usd(o.cache_read_per_million),
            cache_write_per_million=usd(o.cache_write_per_million),
            effective_from=o.effective_from,
        )

    @classmethod
    def from_catalog(cls, e: CatalogEntry) -> "ModelPrice":
        return cls(
            model=e.model,
            source=CostSource.CATALOG,
            provider=e.provider,
            priced_as=e.priced_as,
            input_per_million=usd(e.input_per_million),
            output_per_million=usd(e.output_per_million),
            cache_read_per_million=usd(e.cache_read_per_million),
            cache_write_per_million=usd(e.cache_write_per_million),
            effective_from=None,
        )


@strawberry.type(description="An explicit alias: calls reporting `alias` are priced as `model`.")
class ModelAlias:
    alias: str = strawberry.field(description="The name calls report.")
    model: str = strawberry.field(description="The model it is priced as.")
    provider: str | None = strawberry.field(description="The catalog provider to use.")

    @classmethod
    def from_alias(cls, a: Alias) -> "ModelAlias":
        return cls(alias=a.alias, model=a.model, provider=a.provider)


@strawberry.type(description="Cost per agent in the window.")
class AgentCost:
    agent: str = strawberry.field(description="Agent name.")
    runs: int = strawberry.field(description="Finished runs.")
    cost_usd: float = strawberry.field(description="Cost of its priced runs.")


@strawberry.type(description="Usage and cost per model in the window (from per-call usage).")
class ModelCost:
    model: str = strawberry.field(description="Model name as reported.")
    runs: int = strawberry.field(description="Runs that called it.")
    calls: int = strawberry.field(description="Calls to it.")
    input_tokens: int = strawberry.field(description="Input tokens, cached included.")
    output_tokens: int = strawberry.field(description="Output tokens, reasoning included.")
    cached_tokens: int = strawberry.field(description="Input tokens read from the cache.")
    reasoning_tokens: int = strawberry.field(description="Reasoning tokens.")
    cost_usd: float = strawberry.field(description="Cost of its priced calls.")
    unpriced_calls: int = strawberry.field(description="Calls nobody could price.")


@strawberry.type(description="Cost per local day (AGENTWATCH_TIMEZONE).")
class DayCost:
    day: date = strawberry.field(description="The local calendar day.")
    cost_usd: float = strawberry.field(description="Cost of runs started that day.")
    runs: int = strawberry.field(description="Runs started that day.")


@strawberry.type(description="A budget (agent null = overall) and how much of it is used.")
class BudgetStatus:
    agent: str | None = strawberry.field(description="Agent, or null for all agents.")
    daily_usd: float | None = strawberry.field(description="Daily budget; null = none.")
    daily_used_usd: float = strawberry.field(description="Spent today (local day).")
    daily_remaining_usd: float | None = strawberry.field(description="Left today.")
    daily_used_fraction: float | None = strawberry.field(description="dailyUsed / daily.")
    monthly_usd: float | None = strawberry.field(description="Monthly budget; null = none.")
    monthly_used_usd: float = strawberry.field(description="Spent this month.")
    monthly_remaining_usd: float | None = strawberry.field(description="Left this month.")
    monthly_used_fraction: float | None = strawberry.field(description="monthlyUsed / monthly.")

    @classmethod
    def from_status(cls, b: Status) -> "BudgetStatus":
        return cls(
            agent=b.agent,
            daily_usd=usd(b.budget.daily_usd),
            daily_used_usd=float(b.daily_used_usd),
            daily_remaining_usd=usd(b.daily_remaining_usd),
            daily_used_fraction=b.daily_used_fraction,
            monthly_usd=usd(b.budget.monthly_usd),
            monthly_used_usd=float(b.monthly_used_usd),
            monthly_remaining_usd=usd(b.monthly_remaining_usd),
            monthly_used_fraction=b.monthly_used_fraction,
        )


@strawberry.type(description="Cost totals; window fields cover since/until, the rest is vs now.")
class CostSummary:
    runs: int = strawberry.field(description="Finished runs in the window.")
    priced_runs: int = strawberry.field(description="Runs with a known cost.")
    unpriced_runs: int = strawberry.field(description="Runs nobody could price (not in totals).")
    total_usd: float = strawberry.field(description="Cost of priced runs in the window.")
    today_usd: float = strawberry.field(description="Spent today (local day), now-relative.")
    month_to_date_usd: float = strawberry.field(description="Spent this month, now-relative.")
    projected_month_usd: float = strawberry.field(
        description="monthToDateUsd / fraction of the month elapsed (run rate)."
    )
    cost_per_successful_run_usd: float | None = strawberry.field(
        description="totalUsd (failures included) / successful runs."
    )
    failed_runs_cost_usd: float = strawberry.field(description="Cost of ERROR/TIMEOUT runs.")
    by_agent: list[AgentCost] = strawberry.field(description="Per agent.")
    by_model: list[ModelCost] = strawberry.field(description="Per model.")
    by_day: list[DayCost] = strawberry.field(description="Per local day.")
    budget: BudgetStatus = strawberry.field(description="The agent's (or overall) budget.")

    @classmethod
    def from_summary(cls, c: CostSummaryRecord) -> "CostSummary":
        return cls(
            runs=c.runs,
            priced_runs=c.priced_runs,
            unpriced_runs=c.unpriced_runs,
            total_usd=float(c.total_usd),
            today_usd=float(c.today_usd),
            month_to_date_usd=float(c.month_to_date_usd),
            projected_month_usd=float(c.projected_month_usd),
            cost_per_successful_run_usd=usd(c.cost_per_successful_run_usd),
            failed_runs_cost_usd=float(c.failed_runs_cost_usd),
            by_agent=[
                AgentCost(agent=a.agent, runs=a.runs, cost_usd=float(a.cost_usd))
                for a in c.by_agent
            ],
            by_model=[
                ModelCost(
                    model=m.model,
                    runs=m.runs,
                    calls=m.calls,
                    input_tokens=m.input_tokens,
                    output_tokens=m.output_tokens,
                    cached_tokens=m.cached_tokens,
                    reasoning_tokens=m.reasoning_tokens,
                    cost_usd=float(m.cost_usd),
                    unpriced_calls=m.unpriced_calls,
                )
                for m in c.by_model
            ],
            by_day=[DayCost(day=d.day, cost_usd=float(d.cost_usd), runs=d.runs) for d in c.by_day],
            budget=BudgetStatus.from_status(c.budget),
        )


@strawberry.type(description="A saving computed from stored runs, with its evidence.")
class CostSuggestion:
    kind: CostSuggestionKind = strawberry.field(description="What it is about.")
    agent: str = strawberry.field(description="The agent concerned.")
    title: str = strawberry.field(description="One line.")
    detail: str = strawberry.field(description="How the saving comes about.")
    estimated_monthly_savings_usd: float = strawberry.field(
        description="Window saving x 30 / evidence.windowDays."
    )
    evidence: JSON = strawberry.field(description="The numbers the estimate is computed from.")

    @classmethod
    def from_suggestion(cls, x: Suggestion) -> "CostSuggestion":
        evidence: Any = x.evidence
        return cls(
            kind=x.kind,
            agent=x.agent,
            title=x.title,
            detail=x.detail,
            estimated_monthly_savings_usd=float(x.estimated_monthly_savings_usd),
            evidence=evidence,
        )
