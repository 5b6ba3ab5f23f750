"""Pricing one LLM call: explicit override > catalog (genai-prices' bundled data), or UNPRICED.

Model names match overrides exactly (after an explicit alias, if one is defined); the catalog
matches through genai-prices' curated per-model rules. Nothing is ever matched by an
unanchored prefix, and a model nobody can price costs `None`, never 0.
"""

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from genai_prices import Usage, calc_price

from services.money import MILLION
from services.records import CostSource, LlmCallRecord

# LangChain's `ls_provider` names → genai-prices provider ids.
PROVIDER_IDS = {
    "openai": "openai",
    "azure": "azure",
    "azure_openai": "azure",
    "anthropic": "anthropic",
    "google": "google",
    "google_genai": "google",
    "google_vertexai": "google",
    "google_anthropic_vertex": "google",
    "bedrock": "aws",
    "amazon_bedrock": "aws",
    "mistralai": "mistral",
    "mistral": "mistral",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "x-ai",
    "fireworks": "fireworks",
    "together": "together",
    "cohere": "cohere",
    "perplexity": "perplexity",
}


@dataclass(frozen=True)
class Override:
    """A user price per million tokens; `effective_from=None` applies at all times."""

    model: str
    input_per_million: Decimal
    output_per_million: Decimal
    cache_read_per_million: Decimal | None = None
    cache_write_per_million: Decimal | None = None
    effective_from: datetime | None = None

    def cost(self, call: LlmCallRecord) -> Decimal:
        cached, written = call.cached_input_tokens, call.cache_write_tokens
        uncached = max(0, call.input_tokens - cached - written)
        read_price = self.cache_read_per_million
        write_price = self.cache_write_per_million
        total = (
            uncached * self.input_per_million
            + cached * (self.input_per_million if read_price is None else read_price)
            + written * (self.input_per_million if write_price is None else write_price)
            + call.output_tokens * self.output_per_million
        )
        return total / MILLION


@dataclass(frozen=True)
class Alias:
    alias: str
    model: str
    provider: str | None = None


@dataclass(frozen=True)
class Priced:
    cost_usd: Decimal | None
    source: CostSource
    priced_as: str | None


class PriceBook:
    """Immutable snapshot of overrides and aliases; replaced whole when either changes."""

    def __init__(self, overrides: Iterable[Override] = (), aliases: Iterable[Alias] = ()) -> None:
        self._overrides: dict[str, list[Override]] = {}
        for override in overrides:
            self._overrides.setdefault(override.model, []).append(override)
        for versions in self._overrides.values():
            versions.sort(key=lambda o: (o.effective_from is not None, o.effective_from))
        self._aliases = {a.alias: a for a in aliases}

    @property
    def overrides(self) -> list[Override]:
        return [o for versions in self._overrides.values() for o in versions]

    @property
    def aliases(self) -> list[Alias]:
        return list(self._aliases.values())

    def override_at(self, model: str, at: datetime) -> Override | None:
        """The newest override of `model` in force at `at`."""
        chosen = None
        for override in self._overrides.get(model, ()):
            if override.effective_from is None or override.effective_from <= at:
                chosen = override
        return chosen

    def price(self, call: LlmCallRecord) -> Priced:
        if call.cost_source is CostSource.REPORTED:
            return Priced(call.cost_usd, CostSource.REPORTED, call.priced_as)
        if not call.model:
            return Priced(None, CostSource.UNPRICED, None)
        alias = self._aliases.get(call.model)
        names = [call.model] if alias is None else [call.model, alias.model]
        for name in names:
            if (override := self.override_at(name, call.started_at)) is not None:
                return Priced(override.cost(call), CostSource.OVERRIDE, name)
        model = alias.model if alias else call.model
        provider = (alias.provider if alias and alias.provider else None) or call.provider
        return catalog_price(call, model, provider)

    def priced(self, call: LlmCallRecord) -> LlmCallRecord:
        result = self.price(call)
        return dataclasses.replace(
            call, cost_usd=result.cost_usd, cost_source=result.source, priced_as=result.priced_as
        )


def catalog_price(call: LlmCallRecord, model: str, provider: str | None) -> Priced:
    usage = Usage(
        input_tokens=call.input_tokens,
        cache_read_tokens=call.cached_input_tokens,
        cache_write_tokens=call.cache_write_tokens,
        output_tokens=call.output_tokens,  # includes reasoning tokens (LangChain's convention)
    )
    provider_id = PROVIDER_IDS.get((provider or "").lower())
    try:
        result = calc_price(
            usage, model, provider_id=provider_id, genai_request_timestamp=call.started_at
        )
    except LookupError:
        return Priced(None, CostSource.UNPRICED, None)
    return Priced(result.total_price, CostSource.CATALOG, f"{result.provider.id}:{result.model.id}")


def run_cost(
    calls: Sequence[LlmCallRecord], reported: Decimal | None, tokens: int
) -> tuple[Decimal | None, CostSource]:
    """A run's cost: the reported one, else the sum of its calls (UNPRICED if any call is)."""
    if reported is not None:
        return reported, CostSource.REPORTED
    if not calls:
        # No model call: free if no tokens were used, otherwise tokens nobody can price.
        return (Decimal(0), CostSource.CATALOG) if tokens == 0 else (None, CostSource.UNPRICED)
    if any(c.cost_usd is None for c in calls):
        return None, CostSource.UNPRICED
    sources = {c.cost_source for c in calls}
    source = next(
        (s for s in (CostSource.REPORTED, CostSource.OVERRIDE) if s in sources), CostSource.CATALOG
    )
    return sum((c.cost_usd for c in calls if c.cost_usd is not None), Decimal(0)), source
