"""`recomputeCosts`: re-price stored runs after a price change, in pages, through the writer."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.tables import call_table, run_table
from services.cost.prices import PriceBook, run_cost
from services.money import to_picos
from services.records import CostSource, RunRecord
from services.runs import RunFilter, calls_by_run, run_from_row

PAGE = 500
Transact = Callable[[Callable[[AsyncConnection], Awaitable[None]]], Awaitable[None]]


@dataclass(frozen=True)
class _Change:
    run_id: str
    cost: Decimal | None
    source: CostSource
    calls: list[tuple[int, Decimal | None, CostSource, str | None]]  # (seq, cost, source, as)


def reprice(run: RunRecord, book: PriceBook) -> _Change | None:
    """The run's new costs under `book`, or None when nothing changes. Reported costs stay."""
    calls = [book.priced(c) for c in run.calls or ()]
    cost, source = run_cost(calls, None, run.total_tokens)
    old = list(run.calls or ())
    call_changes = [
        (c.seq, c.cost_usd, c.cost_source, c.priced_as)
        for c, o in zip(calls, old, strict=True)
        if (c.cost_usd, c.cost_source, c.priced_as) != (o.cost_usd, o.cost_source, o.priced_as)
    ]
    if (cost, source) == (run.cost_usd, run.cost_source) and not call_changes:
        return None
    return _Change(run.id, cost, source, call_changes)


async def recompute_costs(
    engine: AsyncEngine,
    transact: Transact,
    book: PriceBook,
    since: datetime | None,
    until: datetime | None,
) -> int:
    """Re-price every run started in [since, until) except those with a reported cost; return
    how many runs' cost changed."""
    conds = [
        *RunFilter(since=since, until=until).conditions(),
        run_table.c.cost_source != CostSource.REPORTED.value,
    ]
    changed = 0
    after: tuple[datetime, str] | None = None
    while True:
        query = sa.select(run_table).where(*conds)
        if after is not None:
            query = query.where(
                sa.tuple_(run_table.c.started_at, run_table.c.id)
                > sa.tuple_(sa.literal(after[0], run_table.c.started_at.type), sa.literal(after[1]))
            )
        query = query.order_by(run_table.c.started_at, run_table.c.id).limit(PAGE)
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        if not rows:
            return changed
        calls = await calls_by_run(engine, [r["id"] for r in rows])
        runs = [run_from_row(r, calls.get(r["id"], [])) for r in rows]
        changes = [c for run in runs if (c := reprice(run, book)) is not None]
        if changes:
            await transact(partial(_apply, changes=changes))
        changed += sum(1 for c in changes if _run_changed(c, runs))
        after = (runs[-1].started_at, runs[-1].id)


def _run_changed(change: _Change, runs: Sequence[RunRecord]) -> bool:
    run = next(r for r in runs if r.id == change.run_id)
    return (change.cost, change.source) != (run.cost_usd, run.cost_source)


async def _apply(conn: AsyncConnection, changes: list[_Change]) -> None:
    for change in changes:
        await conn.execute(
            sa.update(run_table)
            .where(run_table.c.id == change.run_id)
            .values(
                cost_pusd=None if change.cost is None else to_picos(change.cost),
                cost_source=change.source.value,
            )
        )
        for seq, cost, source, priced_as in change.calls:
            await conn.execute(
                sa.update(call_table)
                .where(
                    call_table.c.run_id == change.run_id,
                    call_table.c.seq == seq,
                )
                .values(
                    cost_pusd=None if cost is None else to_picos(cost),
                    cost_source=source.value,
                    priced_as=priced_as,
                )
            )
