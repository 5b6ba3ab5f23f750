"""Persisted price overrides and aliases, and the live `PriceBook` built from them."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import TieredPrices
from sqlalchemy.ext.asyncio import AsyncEngine

from models.tables import alias_table, call_table, price_table
from services.clock import Clock
from services.cost.prices import PROVIDER_IDS, Alias, Override, PriceBook
from services.errors import BadUserInput
from services.records import CostSource

log = logging.getLogger(__name__)
MAX_CATALOG_ENTRIES = 200


@dataclass(frozen=True)
class CatalogEntry:
    """A catalog price in use by stored calls, as genai-prices gives it now."""

    model: str
    provider: str | None
    priced_as: str
    input_per_million: Decimal | None
    output_per_million: Decimal | None
    cache_read_per_million: Decimal | None
    cache_write_per_million: Decimal | None


def _model_name(value: str, field: str) -> str:
    if not value.strip() or len(value) > 200:
        raise BadUserInput(f"{field} must be 1-200 characters", field=field)
    return value


class PriceStore:
    """Owns the overrides/aliases tables and the `book` every new call is priced with."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self.book = PriceBook()
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        """(Re)build the book from the database; also picks up other instances' changes."""
        async with self._engine.connect() as conn:
            prices = (await conn.execute(sa.select(price_table))).mappings().all()
            aliases = (await conn.execute(sa.select(alias_table))).mappings().all()
        self.book = PriceBook(
            [
                Override(
                    r["model"],
                    r["input_per_million"],
                    r["output_per_million"],
                    r["cache_read_per_million"],
                    r["cache_write_per_million"],
                    r["effective_from"],
                )
                for r in prices
            ],
            [Alias(r["alias"], r["model"], r["provider"]) for r in aliases],
        )

    async def set_override(self, override: Override) -> Override:
        """Insert or replace the override of (model, effective_from)."""
        _model_name(override.model, "model")
        async with self._lock, self._engine.begin() as conn:
            same_instant = (
                price_table.c.effective_from.is_(None)
                if override.effective_from is None
                else price_table.c.effective_from == override.effective_from
            )
            await conn.execute(
                sa.delete(price_table).where(price_table.c.model == override.model, same_instant)
            )
            await conn.execute(
                sa.insert(price_table).values(
                    model=override.model,
                    input_per_million=override.input_per_million,
                    output_per_million=override.output_per_million,
                    cache_read_per_million=override.cache_read_per_million,
                    cache_write_per_million=override.cache_write_per_million,
                    effective_from=override.effective_from,
                    created_at=self._clock.now(),
                )
            )
        await self.load()
        return override

    async def delete_overrides(self, model: str) -> int:
        async with self._lock, self._engine.begin() as conn:
            result = await conn.execute(sa.delete(price_table).where(price_table.c.model == model))
        await self.load()
        return int(result.rowcount or 0)

    async def set_alias(self, alias: Alias) -> Alias:
        _model_name(alias.alias, "alias")
        _model_name(alias.model, "model")
        if alias.alias == alias.model:
            raise BadUserInput("an alias must differ from its model", field="alias")
        async with self._lock, self._engine.begin() as conn:
            await conn.execute(sa.delete(alias_table).where(alias_table.c.alias == alias.alias))
            await conn.execute(
                sa.insert(alias_table).values(
                    alias=alias.alias, model=alias.model, provider=alias.provider
                )
            )
        await self.load()
        return alias

    async def delete_alias(self, alias: str) -> int:
        async with self._lock, self._engine.begin() as conn:
            result = await conn.execute(sa.delete(alias_table).where(alias_table.c.alias == alias))
        await self.load()
        return int(result.rowcount or 0)

    async def catalog_in_use(self) -> list[CatalogEntry]:
        """Catalog prices of the (model, provider) pairs stored calls were priced with."""
        query = (
            sa.select(call_table.c.model, call_table.c.provider, call_table.c.priced_as)
            .where(call_table.c.cost_source == CostSource.CATALOG.value)
            .group_by(call_table.c.model, call_table.c.provider, call_table.c.priced_as)
            .order_by(call_table.c.model)
            .limit(MAX_CATALOG_ENTRIES)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        now = self._clock.now()
        return [
            entry
            for model, provider, priced_as in rows
            if (entry := _catalog_entry(model, provider, priced_as, now))
        ]


def _catalog_entry(
    model: str, provider: str | None, priced_as: str, now: datetime
) -> CatalogEntry | None:
    provider_id = PROVIDER_IDS.get((provider or "").lower())
    try:
        _provider, info = get_snapshot().find_provider_model(model, None, provider_id, None)
    except LookupError:
        return None
    prices = info.get_prices(now)

    def per_million(name: str) -> Decimal | None:
        value = getattr(prices, name, None)
        return value.base if isinstance(value, TieredPrices) else value

    return CatalogEntry(
        model=model,
        provider=provider,
        priced_as=priced_as,
        input_per_million=per_million("input_mtok"),
        output_per_million=per_million("output_mtok"),
        cache_read_per_million=per_million("cache_read_mtok"),
        cache_write_per_million=per_million("cache_write_mtok"),
    )
