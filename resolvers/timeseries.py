"""Resolver for metricsTimeseries."""

from datetime import datetime
from typing import Any

import strawberry

from graph.context import Context
from graph.types.timeseries import MetricsBucket
from services import validation
from services.runs import RunFilter


async def metrics_timeseries(
    info: strawberry.Info[Context, Any],
    *,
    agent: str | None = None,
    since: datetime,
    until: datetime | None = None,
    bucket_seconds: int,
) -> list[MetricsBucket]:
    validation.window(since, until)
    flt = RunFilter(agent, None, since, until)
    buckets = await info.context.platform.metrics.timeseries(flt, bucket_seconds)
    return [MetricsBucket.from_bucket(b) for b in buckets]
