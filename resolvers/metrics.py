"""Resolver for metricsSummary."""

from datetime import datetime
from typing import Any

import strawberry

from graph.context import Context
from graph.types.metrics import MetricsSummary
from services import validation
from services.runs import RunFilter


async def metrics_summary(
    info: strawberry.Info[Context, Any],
    agent: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> MetricsSummary:
    validation.window(since, until)
    platform = info.context.platform
    summary = await platform.metrics.summary(RunFilter(agent, None, since, until))
    rejected, queued = await platform.limit_counters.totals(agent, since, until)
    return MetricsSummary.from_summary(summary, rejected, queued)
