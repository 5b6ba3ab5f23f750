"""Resolver for metricsTimeseries."""

from datetime import datetime
from typing import Any

import strawberry

from graph.context import Context
from graph.types.timeseries import MetricsBucket
from services import validation
from services.metrics import timeseries
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
    platform = info.context.platform
    buckets = await timeseries(
        platform.engine, RunFilter(agent, None, since, until), platform.clock.now(), bucket_seconds
    )
    return [MetricsBucket.from_bucket(b) for b in buckets]
