"""MetricsSummary: counts, rates, latency percentiles and tokens over a time window."""

import strawberry

from graph.types.cost import usd
from services.metrics import MetricsSummary as Summary


@strawberry.type(description="Aggregates over the finished runs in a window.")
class MetricsSummary:
    count: int = strawberry.field(description="Finished runs (SUCCESS, ERROR or TIMEOUT).")
    success_count: int = strawberry.field(description="Runs that succeeded.")
    error_count: int = strawberry.field(description="Runs that failed: ERROR plus TIMEOUT.")
    timeout_count: int = strawberry.field(description="Runs that timed out.")
    running_count: int = strawberry.field(description="Runs still running.")
    success_rate: float | None = strawberry.field(description="successCount / count.")
    error_rate: float | None = strawberry.field(description="errorCount / count.")
    latency_p50_ms: float | None = strawberry.field(description="Exact nearest-rank median.")
    latency_p95_ms: float | None = strawberry.field(description="Exact nearest-rank p95.")
    latency_p99_ms: float | None = strawberry.field(description="Exact nearest-rank p99.")
    total_tokens: int = strawberry.field(description="Input plus output tokens.")
    input_tokens: int = strawberry.field(description="Input tokens, cached included.")
    output_tokens: int = strawberry.field(description="Output tokens.")
    total_cost_usd: float | None = strawberry.field(
        description="Summed cost of the priced runs in USD; null while none is priced."
    )
    unpriced_count: int = strawberry.field(description="Finished runs nobody could price.")
    rate_limited_count: int = strawberry.field(
        description="runAgent calls refused by the agent's rate limit (minute granularity)."
    )
    queued_count: int = strawberry.field(description="runAgent calls that waited in the queue.")

    @classmethod
    def from_summary(cls, s: Summary, rate_limited: int = 0, queued: int = 0) -> "MetricsSummary":
        return cls(
            count=s.count,
            success_count=s.success_count,
            error_count=s.failure_count,
            timeout_count=s.timeout_count,
            running_count=s.running_count,
            success_rate=s.success_rate,
            error_rate=s.error_rate,
            latency_p50_ms=s.latency_p50_ms,
            latency_p95_ms=s.latency_p95_ms,
            latency_p99_ms=s.latency_p99_ms,
            total_tokens=s.total_tokens,
            input_tokens=s.input_tokens,
            output_tokens=s.output_tokens,
            total_cost_usd=usd(s.total_cost_usd),
            unpriced_count=s.unpriced_count,
            rate_limited_count=rate_limited,
            queued_count=queued,
        )
