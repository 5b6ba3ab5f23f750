"""GraphQL input types."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from graph.enums import AlertMetric, Comparator, RunStatus, Severity


@strawberry.input(description="The error of a failed reported run.")
class RunErrorInput:
    message: str = strawberry.field(description="Exception message.")
    type: str = strawberry.field(description="Exception class name.")
    stack_trace: str | None = strawberry.field(default=None, description="Formatted traceback.")


@strawberry.input(description="One model call of a reported run.")
class LlmCallInput:
    model: str | None = strawberry.field(description="Model name as the provider reports it.")
    provider: str | None = strawberry.field(default=None, description="e.g. openai, anthropic.")
    started_at: datetime | None = strawberry.field(
        default=None, description="When the call started; default: the run's startedAt."
    )
    latency_ms: float | None = strawberry.field(default=None, description="Duration in ms.")
    input_tokens: int = strawberry.field(default=0, description="Input tokens incl. cached.")
    cached_tokens: int = strawberry.field(default=0, description="Input tokens read from cache.")
    cache_write_tokens: int = strawberry.field(default=0, description="Tokens written to cache.")
    output_tokens: int = strawberry.field(default=0, description="Output tokens incl. reasoning.")
    reasoning_tokens: int = strawberry.field(default=0, description="Reasoning tokens.")
    cost_usd: float | None = strawberry.field(
        default=None, description="The call's cost if the client knows it (REPORTED)."
    )


@strawberry.input(description="A price override in USD per million tokens.")
class ModelPriceInput:
    model: str = strawberry.field(description="Exact model name calls report (or an alias).")
    input_per_million: float = strawberry.field(description="USD per 1M uncached input tokens.")
    output_per_million: float = strawberry.field(description="USD per 1M output tokens.")
    cache_read_per_million: float | None = strawberry.field(
        default=None, description="USD per 1M cached input tokens; default: the input price."
    )
    cache_write_per_million: float | None = strawberry.field(
        default=None, description="USD per 1M cache-write tokens; default: the input price."
    )
    effective_from: datetime | None = strawberry.field(
        default=None,
        description="Applies to calls from this instant on; omitted: to all calls (past ones "
        "once recomputeCosts runs).",
    )


@strawberry.input(description="A run executed outside AgentWatch, reported for recording.")
class RecordRunInput:
    agent: str = strawberry.field(description="Agent name; unknown names register as external.")
    status: RunStatus = strawberry.field(description="Final status (not RUNNING).")
    started_at: datetime | None = strawberry.field(
        default=None, description="Start time with offset; default: now minus latencyMs."
    )
    latency_ms: float | None = strawberry.field(default=None, description="Duration in ms.")
    model: str | None = strawberry.field(default=None, description="Main model used.")
    input_tokens: int = strawberry.field(default=0, description="Input tokens (>= 0).")
    output_tokens: int = strawberry.field(default=0, description="Output tokens (>= 0).")
    error: RunErrorInput | None = strawberry.field(default=None, description="Why it failed.")
    trace_id: str | None = strawberry.field(default=None, description="LangSmith trace id.")
    request_id: str | None = strawberry.field(
        default=None, description="Idempotency key: the same requestId stores one run."
    )
    input: JSON | None = strawberry.field(default=None, description="The run's input.")
    output: JSON | None = strawberry.field(default=None, description="The run's output.")
    cached_tokens: int = strawberry.field(default=0, description="Cached input tokens (>= 0).")
    reasoning_tokens: int = strawberry.field(default=0, description="Reasoning tokens (>= 0).")
    cost_usd: float | None = strawberry.field(
        default=None, description="The run's cost if the client knows it (costSource REPORTED)."
    )
    calls: list[LlmCallInput] | None = strawberry.field(
        default=None,
        description="Per-call usage; when given, the run's tokens are the calls' sums. Without "
        "it, model and tokens make one call.",
    )


@strawberry.input(description="An alert rule.")
class AlertRuleInput:
    name: str = strawberry.field(description="1-200 characters.")
    metric: AlertMetric = strawberry.field(description="What to measure.")
    comparator: Comparator = strawberry.field(description="How to compare.")
    threshold: float = strawberry.field(description="The limit (ERROR_RATE: 0..1).")
    agent: str | None = strawberry.field(
        default=None, description="A known agent; omitted = all agents together."
    )
    window_seconds: int = strawberry.field(default=300, description="10 s to 31 days.")
    min_samples: int = strawberry.field(default=1, description="Finished runs needed (>= 1).")
    severity: Severity = strawberry.field(default=Severity.WARNING, description="Severity.")
    enabled: bool = strawberry.field(default=True, description="Evaluate it.")
    webhook_url: str | None = strawberry.field(
        default=None, description="http(s) URL notified on fire and resolve."
    )
