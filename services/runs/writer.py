"""The single writer: queued run inserts and completions group-committed in batches.

Per-request commits through the ORM top out near 300 runs/s; one task that drains a bounded
queue and writes each batch with `executemany` inside one transaction removes the per-commit
cost and, on SQLite, any lock contention between writers. Callers await their own op's future,
so a `recordRun` answer still means "stored".
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.db import is_database_unavailable
from models.dialect import insert_for
from models.tables import call_table, run_table
from services.records import RunRecord
from services.runs.rows import calls_to_rows, run_to_row

log = logging.getLogger(__name__)
T = TypeVar("T")

# Set once when a run starts. `finish` rewrites every other column of `run`, so a column added
# to the table is updated too (and `run_to_row` must provide it, or the first finish fails).
_FIXED_AT_START = frozenset({"id", "agent", "started_at", "input", "request_id"})
_UPDATED_COLUMNS = tuple(c.name for c in run_table.columns if c.name not in _FIXED_AT_START)


@dataclass
class _Op:
    """One caller's write: its runs are committed together or not at all (a `recordRuns`
    batch is one op, so isolating a failing op never splits a batch)."""

    kind: Literal["insert", "finish", "call"]
    runs: tuple[RunRecord, ...] = ()
    fn: Callable[[AsyncConnection], Awaitable[Any]] | None = None
    done: "asyncio.Future[Any]" = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class RunWriter:
    """Owns every write to `run` and `llm_call`; start it once, stop it to drain."""

    def __init__(
        self,
        engine: AsyncEngine,
        on_committed: Callable[[RunRecord], None],
        batch_size: int = 500,
        queue_size: int = 10_000,
    ) -> None:
        self._engine = engine
        self._on_committed = on_committed
        self._batch_size = batch_size
        self._queue: asyncio.Queue[_Op | None] = asyncio.Queue(maxsize=queue_size)
        self._task: asyncio.Task[None] | None = None
        self._insert = insert_for(engine)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="agentwatch-run-writer")

    async def stop(self) -> None:
        """Write everything already queued, then end the writer task."""
        if self._task is None:
            return
        await self._queue.put(None)
        await self._task
        self._task = None

    async def insert(self, run: RunRecord) -> bool:
        """Store a new run; False when a run with the same id already existed (idempotency)."""
        return (await self.insert_many([run]))[0]

    async def insert_many(self, runs: Sequence[RunRecord]) -> list[bool]:
        """Store runs in one transaction, all or none; per run, False when a run with the same
        id already existed (idempotency)."""
        stored: list[bool] = await self._submit(_Op("insert", tuple(runs)))
        return stored

    async def finish(self, run: RunRecord) -> None:
        """Store the final state of a run previously inserted as RUNNING."""
        await self._submit(_Op("finish", (run,)))

    async def transact(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `fn` inside the writer's transaction order (e.g. re-pricing stored runs), so
        every write to runs goes through one place and never races the batches."""
        result: T = await self._submit(_Op("call", (), fn))
        return result

    async def _submit(self, op: _Op) -> Any:
        if self._task is None:
            raise RuntimeError("run writer is not running")
        await self._queue.put(op)  # bounded: producers slow down instead of memory growing
        return await asyncio.shield(op.done)

    async def _loop(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self._batch_size and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            await self._commit(batch)

    async def _commit(self, batch: list[_Op]) -> None:
        try:
            async with self._engine.begin() as conn:
                results = await self._apply(conn, batch)
        except Exception as exc:
            if len(batch) > 1:
                # Isolate the op that broke the batch so the others are still stored.
                for op in batch:
                    await self._commit([op])
                return
            what = batch[0].runs[0].id if batch[0].runs else "call"
            if is_database_unavailable(exc):
                log.warning("write failed, database unavailable (%s): %s", what, exc)
            else:
                log.exception("write failed (%s)", what)
            if not batch[0].done.done():
                batch[0].done.set_exception(exc)
            return
        for op, stored in zip(batch, results, strict=True):
            flags = stored if op.kind == "insert" else [True] * len(op.runs)
            for run, ok in zip(op.runs, flags, strict=True):
                if ok and run.finished:
                    try:
                        self._on_committed(run)
                    except Exception:
                        log.exception("run-committed hook failed for %s", run.id)
            if not op.done.done():
                op.done.set_result(stored)

    async def _apply(self, conn: AsyncConnection, batch: Sequence[_Op]) -> list[Any]:
        results: list[Any] = []
        start = 0
        while start < len(batch):
            end = start
            kind = batch[start].kind
            while end < len(batch) and batch[end].kind == kind:
                end += 1
            if kind == "call":
                for op in batch[start:end]:
                    assert op.fn is not None
                    results.append(await op.fn(conn))
                start = end
                continue
            ops = batch[start:end]
            group = [run for op in ops for run in op.runs]
            if kind == "insert":
                flags = await self._insert_runs(conn, group)
                offset = 0
                for op in ops:
                    results.append(flags[offset : offset + len(op.runs)])
                    offset += len(op.runs)
            else:
                await self._finish_runs(conn, group)
                results.extend([True] * len(ops))
            start = end
        return results

    async def _insert_runs(self, conn: AsyncConnection, runs: list[RunRecord]) -> list[bool]:
        stmt = self._insert(run_table).on_conflict_do_nothing().returning(run_table.c.id)
        result = await conn.execute(stmt, [run_to_row(run) for run in runs])
        inserted = set(result.scalars().all())
        stored: list[bool] = []
        for run in runs:
            # A duplicate id inside one batch is inserted once: only its first op "wins".
            stored.append(run.id in inserted)
            inserted.discard(run.id)
        calls = [
            row for run, ok in zip(runs, stored, strict=True) if ok for row in calls_to_rows(run)
        ]
        if calls:
            await conn.execute(sa.insert(call_table), calls)
        return stored

    async def _finish_runs(self, conn: AsyncConnection, runs: list[RunRecord]) -> None:
        stmt = (
            sa.update(run_table)
            .where(run_table.c.id == sa.bindparam("run_id"))
            .values({name: sa.bindparam(f"v_{name}") for name in _UPDATED_COLUMNS})
        )
        params: list[dict[str, Any]] = []
        for run in runs:
            row = run_to_row(run)
            params.append({"run_id": run.id, **{f"v_{n}": row[n] for n in _UPDATED_COLUMNS}})
        await conn.execute(stmt, params)
        calls = [row for run in runs for row in calls_to_rows(run)]
        if calls:
            await conn.execute(sa.insert(call_table), calls)
