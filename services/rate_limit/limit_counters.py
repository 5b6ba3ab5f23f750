"""Counts of rate-limited and queued calls per agent and UTC minute, kept in memory and flushed
to the `rate_limit_counter` table in the background (rejections can come in floods: one upsert
per agent-minute, not one row per call)."""

import asyncio
import logging
from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.dialect import insert_for
from models.tables import counter_table
from services.clock import Clock

log = logging.getLogger(__name__)
Key = tuple[str, datetime]


class LimitCounters:
    def __init__(self, engine: AsyncEngine, clock: Clock, flush_seconds: float = 2.0) -> None:
        self._engine = engine
        self._clock = clock
        self._flush_seconds = flush_seconds
        self._rejected: Counter[Key] = Counter()
        self._queued: Counter[Key] = Counter()
        self._task: asyncio.Task[None] | None = None
        self._insert = insert_for(engine)

    def _key(self, agent: str) -> Key:
        return agent, self._clock.now().replace(second=0, microsecond=0)

    def rejected(self, agent: str) -> None:
        self._rejected[self._key(agent)] += 1

    def queued(self, agent: str) -> None:
        self._queued[self._key(agent)] += 1

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="rate-limit-counters")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            try:
                await self.flush()
            except Exception:
                log.exception("could not store rate-limit counters")

    async def flush(self) -> None:
        rejected, queued = self._rejected, self._queued
        if not rejected and not queued:
            return
        self._rejected, self._queued = Counter(), Counter()
        rows = [
            {
                "agent": agent,
                "minute": minute,
                "rejected": rejected[(agent, minute)],
                "queued": queued[(agent, minute)],
            }
            for agent, minute in set(rejected) | set(queued)
        ]
        stmt = self._insert(counter_table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["agent", "minute"],
            set_={
                "rejected": counter_table.c.rejected + stmt.excluded.rejected,
                "queued": counter_table.c.queued + stmt.excluded.queued,
            },
        )
        try:
            async with self._engine.begin() as conn:
                await conn.execute(stmt, rows)
        except Exception:
            self._rejected.update(rejected)  # keep them for the next flush
            self._queued.update(queued)
            raise

    async def totals(
        self, agent: str | None, since: datetime | None, until: datetime | None
    ) -> tuple[int, int]:
        """(rejected, queued) in [since, until), at minute granularity, this process's unflushed
        counts included."""
        conds = []
        if agent is not None:
            conds.append(counter_table.c.agent == agent)
        if since is not None:
            conds.append(counter_table.c.minute >= since.replace(second=0, microsecond=0))
        if until is not None:
            conds.append(counter_table.c.minute < until)
        query = sa.select(
            sa.func.coalesce(sa.func.sum(counter_table.c.rejected), 0),
            sa.func.coalesce(sa.func.sum(counter_table.c.queued), 0),
        ).where(*conds)
        async with self._engine.connect() as conn:
            stored_rejected, stored_queued = (await conn.execute(query)).one()

        def pending(counts: Counter[Key]) -> int:
            return sum(
                n
                for (a, minute), n in counts.items()
                if (agent is None or a == agent)
                and (since is None or minute >= since.replace(second=0, microsecond=0))
                and (until is None or minute < until)
            )

        return (
            int(stored_rejected) + pending(self._rejected),
            int(stored_queued) + pending(self._queued),
        )
