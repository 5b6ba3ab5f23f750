"""Plain domain records passed between the store, the runner, pub/sub and the API."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class RunStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    ERROR = "ERROR"
    TIMEOUT = "TIMEOUT"


FINISHED_STATUSES = (RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.TIMEOUT)
FAILED_STATUSES = (RunStatus.ERROR, RunStatus.TIMEOUT)


class CostSource(StrEnum):
    """Where a cost came from; UNPRICED means nobody could price it (cost is null, never 0)."""

    CATALOG = "CATALOG"
    OVERRIDE = "OVERRIDE"
    REPORTED = "REPORTED"
    UNPRICED = "UNPRICED"


@dataclass(frozen=True)
class RunErrorInfo:
    message: str
    type: str
    stack_trace: str | None = None


@dataclass(frozen=True)
class LlmCallRecord:
    """Usage of one model call; `input_tokens` includes `cached_input_tokens`."""

    seq: int
    model: str | None
    provider: str | None
    started_at: datetime
    latency_ms: float | None
    input_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: Decimal | None = None
    cost_source: CostSource = CostSource.UNPRICED
    priced_as: str | None = None


@dataclass(frozen=True)
class RunRecord:
    """A run as stored; the unit of the `runRecorded` event."""

    id: str
    agent: str
    status: RunStatus
    started_at: datetime
    ended_at: datetime | None = None
    latency_ms: float | None = None
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    error: RunErrorInfo | None = None
    trace_id: str | None = None
    trace_url: str | None = None
    input: Any = None
    output: Any = None
    request_id: str | None = None
    # None when not loaded (pages of runs); the API then fetches them in one batched query.
    calls: tuple[LlmCallRecord, ...] | None = None
    cost_usd: Decimal | None = None
    cost_source: CostSource = CostSource.UNPRICED

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def finished(self) -> bool:
        return self.status is not RunStatus.RUNNING
