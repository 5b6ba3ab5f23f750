"""`Metrics`: the summary and the time series bound to the engine and the clock."""

from sqlalchemy.ext.asyncio import AsyncEngine

from services.clock import Clock
from services.metrics.summary import MetricsSummary, summarize
from services.metrics.timeseries import MetricsBucket, timeseries
from services.runs import RunFilter


class Metrics:
    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    async def summary(self, flt: RunFilter) -> MetricsSummary:
        return await summarize(self._engine, flt)

    async def timeseries(self, flt: RunFilter, bucket_seconds: int) -> list[MetricsBucket]:
        """Buckets up to now (an open `until` ends at the clock's now)."""
        return await timeseries(self._engine, flt, self._clock.now(), bucket_seconds)
