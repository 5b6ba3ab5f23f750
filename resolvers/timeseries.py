"""Resolver for metricsTimeseries."""

from datetime import datetime, timedelta
from typing import Any

import strawberry

from graph.context import Context
from graph.types.timeseries import MetricsBucket
from services import validation
from services.runs import RunFilter

DEFAULT_WINDOW = timedelta(hours=24)  # `since` omitted: the last 24 hours, on any day


async def metrics_timeseries(
    info: strawberry.Info[Context, Any],
    *,
    agent: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket_seconds: int,
) -> list[MetricsBucket]:
    validation.window(since, until)
    platform = info.context.platform
    if since is None:
        since = (until or platform.clock.now()) - DEFAULT_WINDOW
    flt = RunFilter(agent, None, since, until)
    buckets = await platform.metrics.timeseries(flt, bucket_seconds)
    return [MetricsBucket.from_bucket(b) for b in buckets]
