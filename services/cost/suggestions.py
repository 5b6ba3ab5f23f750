"""`costSuggestions`: savings computed from stored runs, each with the numbers behind it.

Every estimate is reproducible by hand from its evidence: window spend → monthly by
`30 / windowDays`; token volumes times the per-million prices shown.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import TieredPrices
from sqlalchemy.ext.asyncio import AsyncEngine

from models.tables import call_table, run_table
from services.cost.cheaper_models import CHEAPER_MODELS
from services.money import MILLION, from_picos
from services.records import FAILED_STATUSES, CostSource, RunStatus

DAYS_PER_MONTH = Decimal(30)
MIN_WINDOW_DAYS = Decimal(1) / 24  # never extrapolate from less than an hour
MIN_MONTHLY_SAVINGS = Decimal("0.01")
# Share of a run's not-yet-cached input assumed to be a stable, cacheable prefix (system prompt,
# tool definitions, few-shot examples). Shown in the evidence so the estimate can be redone.
ASSUMED_CACHEABLE_FRACTION = Decimal("0.5")
CACHE_HIT_RATIO_BELOW = Decimal("0.2")


class SuggestionKind(StrEnum):
    CHEAPER_MODEL = "CHEAPER_MODEL"
    FAILED_RUNS = "FAILED_RUNS"
    PROMPT_CACHING = "PROMPT_CACHING"


@dataclass(frozen=True)
class Suggestion:
    kind: SuggestionKind
    agent: str
    title: str
    detail: str
    estimated_monthly_savings_usd: Decimal
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Usage:
    agent: str
    priced_as: str
    calls: int
    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    output_tokens: int
    cost: Decimal

    @property
    def uncached_input(self) -> int:
        return max(0, self.input_tokens - self.cached_tokens - self.cache_write_tokens)


def _prices(priced_as: str, at: datetime) -> dict[str, Decimal] | None:
    provider, _, model = priced_as.partition(":")
    try:
        _p, info = get_snapshot().find_provider_model(model, None, provider, None)
    except LookupError:
        return None
    prices = info.get_prices(at)
    out: dict[str, Decimal] = {}
    for key in ("input_mtok", "cache_read_mtok", "cache_write_mtok", "output_mtok"):
        value = getattr(prices, key, None)
        if value is not None:
            out[key] = value.base if isinstance(value, TieredPrices) else value
    return out if "input_mtok" in out and "output_mtok" in out else None


def _reprice(usage: _Usage, prices: dict[str, Decimal]) -> Decimal:
    read = prices.get("cache_read_mtok", prices["input_mtok"])
    write = prices.get("cache_write_mtok", prices["input_mtok"])
    return (
        usage.uncached_input * prices["input_mtok"]
        + usage.cached_tokens * read
        + usage.cache_write_tokens * write
        + usage.output_tokens * prices["output_mtok"]
    ) / MILLION


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.000001")), "f")


async def cost_suggestions(
    engine: AsyncEngine, since: datetime | None, now: datetime
) -> list[Suggestion]:
    since = since or now - timedelta(days=30)
    window = [run_table.c.started_at >= since, run_table.c.status != RunStatus.RUNNING.value]
    async with engine.connect() as conn:
        first = (
            await conn.execute(sa.select(sa.func.min(run_table.c.started_at)).where(*window))
        ).scalar()
        if first is None:
            return []
        usage_rows = (
            await conn.execute(
                sa.select(
                    run_table.c.agent,
                    call_table.c.priced_as,
                    sa.func.count(),
                    sa.func.sum(call_table.c.input_tokens),
                    sa.func.sum(call_table.c.cached_input_tokens),
                    sa.func.sum(call_table.c.cache_write_tokens),
                    sa.func.sum(call_table.c.output_tokens),
                    sa.func.sum(call_table.c.cost_pusd),
                )
                .select_from(call_table.join(run_table, run_table.c.id == call_table.c.run_id))
                .where(
                    *window,
                    call_table.c.cost_source.in_(
                        [CostSource.CATALOG.value, CostSource.OVERRIDE.value]
                    ),
                    call_table.c.priced_as.is_not(None),
                )
                .group_by(run_table.c.agent, call_table.c.priced_as)
            )
        ).all()
        failed = sa.case((run_table.c.status.in_([s.value for s in FAILED_STATUSES]), 1), else_=0)
        failed_cost = sa.case((failed == 1, run_table.c.cost_pusd), else_=0)
        failure_rows = (
            await conn.execute(
                sa.select(
                    run_table.c.agent,
                    sa.func.count(),
                    sa.func.sum(failed),
                    sa.func.sum(failed_cost),
                )
                .where(*window)
                .group_by(run_table.c.agent)
            )
        ).all()
    start = max(since, first)
    days = max(Decimal(repr((now - start).total_seconds())) / 86400, MIN_WINDOW_DAYS)
    usages = [
        _Usage(a, p, int(n), int(i), int(c), int(w), int(o), from_picos(int(x or 0)) or Decimal(0))
        for a, p, n, i, c, w, o, x in usage_rows
    ]
    base = {"windowStart": start.isoformat(), "windowDays": float(days)}
    suggestions = [
        *(s for u in usages if (s := _cheaper_model(u, days, now, base))),
        *(s for u in usages if (s := _prompt_caching(u, days, now, base))),
        *(s for row in failure_rows if (s := _failed_runs(row, days, base))),
    ]
    return sorted(suggestions, key=lambda s: s.estimated_monthly_savings_usd, reverse=True)


def _cheaper_model(
    usage: _Usage, days: Decimal, now: datetime, base: dict[str, Any]
) -> Suggestion | None:
    provider = usage.priced_as.partition(":")[0]
    best: tuple[Decimal, str, dict[str, Decimal]] | None = None
    for candidate in CHEAPER_MODELS.get(usage.priced_as, ()):
        prices = _prices(f"{provider}:{candidate}", now)
        if prices is None:
            continue
        cost = _reprice(usage, prices)
        if best is None or cost < best[0]:
            best = (cost, candidate, prices)
    if best is None or best[0] >= usage.cost:
        return None
    candidate_cost, candidate, prices = best
    monthly = (usage.cost - candidate_cost) * DAYS_PER_MONTH / days
    if monthly < MIN_MONTHLY_SAVINGS:
        return None
    current = usage.priced_as.partition(":")[2]
    return Suggestion(
        SuggestionKind.CHEAPER_MODEL,
        usage.agent,
        f"Try {candidate} instead of {current} for {usage.agent}",
        f"{usage.calls} calls to {current} cost ${_money(usage.cost)} over {float(days):.2f} days; "
        f"the same tokens on {candidate} would cost ${_money(candidate_cost)}. Check quality on "
        "a sample before switching.",
        monthly,
        {
            **base,
            "currentModel": usage.priced_as,
            "candidateModel": f"{provider}:{candidate}",
            "calls": usage.calls,
            "uncachedInputTokens": usage.uncached_input,
            "cachedTokens": usage.cached_tokens,
            "cacheWriteTokens": usage.cache_write_tokens,
            "outputTokens": usage.output_tokens,
            "currentCostUsd": float(usage.cost),
            "candidateCostUsd": float(candidate_cost),
            "candidatePricesPerMillion": {k: float(v) for k, v in prices.items()},
        },
    )


def _prompt_caching(
    usage: _Usage, days: Decimal, now: datetime, base: dict[str, Any]
) -> Suggestion | None:
    prices = _prices(usage.priced_as, now)
    if prices is None or "cache_read_mtok" not in prices or usage.input_tokens == 0:
        return None
    input_price, read_price = prices["input_mtok"], prices["cache_read_mtok"]
    uncached_cost = usage.uncached_input * input_price / MILLION
    hit_ratio = Decimal(usage.cached_tokens) / usage.input_tokens
    if read_price >= input_price or hit_ratio >= CACHE_HIT_RATIO_BELOW or usage.cost == 0:
        return None
    if uncached_cost * 2 < usage.cost:  # input does not dominate this model's spend
        return None
    window_savings = (
        usage.uncached_input * ASSUMED_CACHEABLE_FRACTION * (input_price - read_price) / MILLION
    )
    monthly = window_savings * DAYS_PER_MONTH / days
    if monthly < MIN_MONTHLY_SAVINGS:
        return None
    model = usage.priced_as.partition(":")[2]
    return Suggestion(
        SuggestionKind.PROMPT_CACHING,
        usage.agent,
        f"Cache the stable prompt prefix of {usage.agent} on {model}",
        f"Uncached input is ${_money(uncached_cost)} of ${_money(usage.cost)} spent on {model} "
        f"and only {float(hit_ratio):.0%} of input tokens hit the cache. If "
        f"{float(ASSUMED_CACHEABLE_FRACTION):.0%} of that input were a cached prefix it would be "
        f"billed at ${read_price}/M instead of ${input_price}/M (cache-write premiums, where the "
        "provider charges them, are not included).",
        monthly,
        {
            **base,
            "model": usage.priced_as,
            "inputTokens": usage.input_tokens,
            "uncachedInputTokens": usage.uncached_input,
            "cachedTokens": usage.cached_tokens,
            "cacheHitRatio": float(hit_ratio),
            "modelCostUsd": float(usage.cost),
            "inputPricePerMillion": float(input_price),
            "cacheReadPricePerMillion": float(read_price),
            "assumedCacheableFraction": float(ASSUMED_CACHEABLE_FRACTION),
        },
    )


def _failed_runs(row: Any, days: Decimal, base: dict[str, Any]) -> Suggestion | None:
    agent, runs, failed, picos = row
    failed_cost = from_picos(int(picos or 0)) or Decimal(0)
    monthly = failed_cost * DAYS_PER_MONTH / days
    if not failed or monthly < MIN_MONTHLY_SAVINGS:
        return None
    return Suggestion(
        SuggestionKind.FAILED_RUNS,
        agent,
        f"Stop paying for failed runs of {agent}",
        f"{int(failed)} of {int(runs)} runs failed (ERROR or TIMEOUT) and still cost "
        f"${_money(failed_cost)} in tokens over {float(days):.2f} days. Fix the most common "
        "error, validate inputs before calling the model, or fail faster.",
        monthly,
        {
            **base,
            "runs": int(runs),
            "failedRuns": int(failed),
            "failedRunsCostUsd": float(failed_cost),
        },
    )
