"""`RunReader`: the read side of stored runs, bound to the engine once in `Platform`."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from services.records import LlmCallRecord, RunRecord
from services.runs.queries import RunFilter, RunPage, calls_by_run, get_run, list_runs


class RunReader:
    """What resolvers and DataLoaders may read about runs; they never see the engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, run_id: str) -> RunRecord | None:
        return await get_run(self._engine, run_id)

    async def page(self, flt: RunFilter, first: int, after: str | None) -> RunPage:
        """Newest first, keyset-paginated (see `list_runs`)."""
        return await list_runs(self._engine, flt, first, after)

    async def calls(self, run_ids: Sequence[str]) -> dict[str, list[LlmCallRecord]]:
        """Every given run's model calls in one query (runs without calls are absent)."""
        return await calls_by_run(self._engine, run_ids)
