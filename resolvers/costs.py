"""Resolvers for prices, cost totals, budgets, suggestions and re-pricing."""

from datetime import datetime
from typing import Any

import strawberry

from graph.context import Context
from graph.inputs import ModelPriceInput
from graph.types.cost import BudgetStatus, CostSuggestion, CostSummary, ModelAlias, ModelPrice
from services import validation
from services.cost import Alias, Budget, Override
from services.errors import BadUserInput
from services.money import usd_input
from services.runs import RunFilter

Info = strawberry.Info[Context, Any]


async def model_prices(info: Info) -> list[ModelPrice]:
    prices = info.context.platform.prices
    overrides = [ModelPrice.from_override(o) for o in prices.book.overrides]
    catalog = [ModelPrice.from_catalog(e) for e in await prices.catalog_in_use()]
    return overrides + catalog


async def model_aliases(info: Info) -> list[ModelAlias]:
    return [ModelAlias.from_alias(a) for a in info.context.platform.prices.book.aliases]


async def set_model_price(info: Info, input: ModelPriceInput) -> ModelPrice:
    def price(value: float | None, field: str) -> Any:
        return None if value is None else usd_input(value, field)

    if input.effective_from is not None and input.effective_from.tzinfo is None:
        raise BadUserInput("effectiveFrom needs a UTC offset", field="effectiveFrom")
    override = Override(
        model=input.model.strip(),
        input_per_million=price(input.input_per_million, "inputPerMillion"),
        output_per_million=price(input.output_per_million, "outputPerMillion"),
        cache_read_per_million=price(input.cache_read_per_million, "cacheReadPerMillion"),
        cache_write_per_million=price(input.cache_write_per_million, "cacheWritePerMillion"),
        effective_from=input.effective_from,
    )
    stored = await info.context.platform.prices.set_override(override)
    return ModelPrice.from_override(stored)


async def delete_model_price(info: Info, model: str) -> int:
    removed = await info.context.platform.prices.delete_overrides(model)
    if not removed:
        raise BadUserInput(f"no price override for model {model[:200]!r}", field="model")
    return removed


async def set_model_alias(
    info: Info, alias: str, model: str, provider: str | None = None
) -> ModelAlias:
    stored = await info.context.platform.prices.set_alias(Alias(alias.strip(), model, provider))
    return ModelAlias.from_alias(stored)


async def delete_model_alias(info: Info, alias: str) -> bool:
    if not await info.context.platform.prices.delete_alias(alias):
        raise BadUserInput(f"no alias {alias[:200]!r}", field="alias")
    return True


async def recompute(
    info: Info, since: datetime | None = None, until: datetime | None = None
) -> int:
    validation.window(since, until)
    return await info.context.platform.costs.recompute(since, until)


async def cost_summary(
    info: Info,
    agent: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> CostSummary:
    validation.window(since, until)
    summary = await info.context.platform.costs.summary(RunFilter(agent, None, since, until))
    return CostSummary.from_summary(summary)


async def cost_suggestions(info: Info, since: datetime | None = None) -> list[CostSuggestion]:
    validation.window(since, None)
    found = await info.context.platform.costs.suggestions(since)
    return [CostSuggestion.from_suggestion(s) for s in found]


async def set_budget_resolver(
    info: Info,
    agent: str | None = None,
    daily_usd: float | None = None,
    monthly_usd: float | None = None,
) -> BudgetStatus:
    platform = info.context.platform
    budget = Budget(
        None if daily_usd is None else usd_input(daily_usd, "dailyUsd"),
        None if monthly_usd is None else usd_input(monthly_usd, "monthlyUsd"),
    )
    return BudgetStatus.from_status(await platform.costs.set_budget(agent, budget))
