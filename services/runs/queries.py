"""Read queries over stored runs: one run, filtered pages with keyset cursors, calls by run."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.tables import call_table, run_table
from services import cursors
from services.errors import BadUserInput
from services.records import LlmCallRecord, RunRecord, RunStatus
from services.runs.rows import call_from_row, run_from_row

MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class RunFilter:
    """Which runs a query covers; `None` leaves that side of the window open."""

    agent: str | None = None
    status: RunStatus | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        conds: list[sa.ColumnElement[bool]] = []
        if self.agent is not None:
            conds.append(run_table.c.agent == self.agent)
        if self.status is not None:
            conds.append(run_table.c.status == self.status.value)
        if self.since is not None:
            conds.append(run_table.c.started_at >= self.since)
        if self.until is not None:
            conds.append(run_table.c.started_at < self.until)
        return conds


@dataclass(frozen=True)
class RunPage:
    runs: list[RunRecord]
    has_next_page: bool


def encode_cursor(run: RunRecord) -> str:
    return cursors.encode_cursor(run.started_at, run.id)


async def get_run(engine: AsyncEngine, run_id: str) -> RunRecord | None:
    async with engine.connect() as conn:
        row = (
            (await conn.execute(sa.select(run_table).where(run_table.c.id == run_id)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        calls = await _calls(conn, [run_id])
    return run_from_row(row, calls.get(run_id, []))


async def list_runs(engine: AsyncEngine, flt: RunFilter, first: int, after: str | None) -> RunPage:
    """Newest first. Keyset pagination on (started_at, id): runs inserted while a client pages
    never shift the rows it has not seen yet, unlike OFFSET."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}")
    conds = flt.conditions()
    if after is not None:
        started, run_id = cursors.decode_cursor(after)
        conds.append(
            sa.tuple_(run_table.c.started_at, run_table.c.id)
            < sa.tuple_(sa.literal(started, run_table.c.started_at.type), sa.literal(run_id))
        )
    query = (
        sa.select(run_table)
        .where(*conds)
        .order_by(run_table.c.started_at.desc(), run_table.c.id.desc())
        .limit(first + 1)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    runs = [run_from_row(row) for row in rows[:first]]
    return RunPage(runs=runs, has_next_page=len(rows) > first)


async def calls_by_run(
    engine: AsyncEngine, run_ids: Sequence[str]
) -> dict[str, list[LlmCallRecord]]:
    async with engine.connect() as conn:
        return await _calls(conn, run_ids)


async def _calls(conn: AsyncConnection, run_ids: Sequence[str]) -> dict[str, list[LlmCallRecord]]:
    grouped: dict[str, list[LlmCallRecord]] = defaultdict(list)
    if not run_ids:
        return grouped
    query = (
        sa.select(call_table)
        .where(call_table.c.run_id.in_(list(run_ids)))
        .order_by(call_table.c.run_id, call_table.c.seq)
    )
    for row in (await conn.execute(query)).mappings():
        grouped[row["run_id"]].append(call_from_row(row))
    return grouped
