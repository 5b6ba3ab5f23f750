"""MetricsBucket: one time bucket of a metrics time series."""

from datetime import datetime

import strawberry

from graph.types.cost import usd
from services.metrics import MetricsBucket as Bucket


@strawberry.type(description="Aggregates of the finished runs started in one time bucket.")
class MetricsBucket:
    start: datetime = strawberry.field(
        description="Bucket start (UTC), a multiple of bucketSeconds since the epoch."
    )
    count: int = strawberry.field(description="Finished runs (SUCCESS, ERROR or TIMEOUT).")
    error_count: int = strawberry.field(description="Runs that failed: ERROR plus TIMEOUT.")
    latency_p50_ms: float | None = strawberry.field(description="Exact nearest-rank median.")
    latency_p95_ms: float | None = strawberry.field(description="Exact nearest-rank p95.")
    latency_p99_ms: float | None = strawberry.field(description="Exact nearest-rank p99.")
    total_tokens: int = strawberry.field(description="Input plus output tokens.")
    cost_usd: float | None = strawberry.field(
        description="Summed cost of the priced runs in USD; null while none is priced."
    )

    @classmethod
    def from_bucket(cls, b: Bucket) -> "MetricsBucket":
        return cls(
            start=b.start,
            count=b.count,
            error_count=b.error_count,
            latency_p50_ms=b.latency_p50_ms,
            latency_p95_ms=b.latency_p95_ms,
            latency_p99_ms=b.latency_p99_ms,
            total_tokens=b.total_tokens,
            cost_usd=usd(b.cost_usd),
        )
