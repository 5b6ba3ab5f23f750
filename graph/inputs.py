"""GraphQL input types."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from graph.types.run import RunStatus


@strawberry.input(description="The error of a failed reported run.")
class RunErrorInput:
    message: str = strawberry.field(description="Exception message.")
    type: str = strawberry.field(description="Exception class name.")
    stack_trace: str | None = strawberry.field(default=None, description="Formatted traceback.")


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
