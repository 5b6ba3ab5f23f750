"""`recordRun`: validate and store runs executed elsewhere, idempotently by `requestId`."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services import validation
from services.agent_registry import AgentRegistry
from services.clock import Clock
from services.errors import BadUserInput
from services.payloads import ensure_within, to_storable
from services.records import RunErrorInfo, RunRecord, RunStatus
from services.run_queries import get_run
from services.run_writer import RunWriter

# Run ids of idempotent reports are derived from the requestId, so a retried report maps to the
# same primary key and the database itself rejects the duplicate, even across instances.
REQUEST_ID_NAMESPACE = uuid.UUID("6f1d7c55-3f0b-4be4-9a0e-6a2d0c6a9f11")


@dataclass(frozen=True)
class ReportedRun:
    """A run as reported by a client that executed it."""

    agent: str
    status: RunStatus
    started_at: datetime | None = None
    latency_ms: float | None = None
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    error: RunErrorInfo | None = None
    trace_id: str | None = None
    request_id: str | None = None
    input: Any = None
    output: Any = None


class RunIngestor:
    def __init__(
        self, engine: AsyncEngine, registry: AgentRegistry, writer: RunWriter, clock: Clock,
        max_input_bytes: int, stored_payload_bytes: int,
    ) -> None:  # fmt: skip
        self._engine = engine
        self._registry = registry
        self._writer = writer
        self._clock = clock
        self._max_input_bytes = max_input_bytes
        self._stored_payload_bytes = stored_payload_bytes

    def validate(self, report: ReportedRun) -> RunRecord:
        """Check every field and build the record; raises BadUserInput before anything is stored."""
        now = self._clock.now()
        validation.agent_name(report.agent)
        if report.status is RunStatus.RUNNING:
            raise BadUserInput("recordRun takes finished runs: status cannot be RUNNING")
        if report.status is RunStatus.SUCCESS and report.error is not None:
            raise BadUserInput("a SUCCESS run cannot carry an error", field="error")
        latency = validation.latency_ms(report.latency_ms)
        started = report.started_at or (now - timedelta(milliseconds=latency or 0))
        validation.timestamp(started, now, "startedAt")
        validation.text(report.model, "model")
        validation.text(report.trace_id, "traceId")
        validation.text(report.request_id, "requestId")
        if report.request_id is not None and not report.request_id.strip():
            raise BadUserInput("requestId must not be blank", field="requestId")
        if report.error is not None:
            validation.text(report.error.type, "error.type")
            validation.text(report.error.message, "error.message")
            validation.text(report.error.stack_trace, "error.stackTrace")
        validation.token_count(report.input_tokens, "inputTokens")
        validation.token_count(report.output_tokens, "outputTokens")
        ensure_within(report.input, self._max_input_bytes, "input")
        ensure_within(report.output, self._max_input_bytes, "output")
        run_id = (
            uuid.uuid5(REQUEST_ID_NAMESPACE, report.request_id)
            if report.request_id
            else uuid.uuid4()
        )
        return RunRecord(
            id=str(run_id),
            agent=report.agent,
            status=report.status,
            started_at=started,
            ended_at=started + timedelta(milliseconds=latency) if latency is not None else None,
            latency_ms=latency,
            model=report.model,
            input_tokens=report.input_tokens,
            output_tokens=report.output_tokens,
            error=report.error,
            trace_id=report.trace_id,
            input=to_storable(report.input, self._stored_payload_bytes),
            output=to_storable(report.output, self._stored_payload_bytes),
            request_id=report.request_id,
            calls=(),
        )

    async def record(self, report: ReportedRun) -> RunRecord:
        """Store the run and return it; a repeated requestId returns the run stored first."""
        run = self.validate(report)
        await self._registry.ensure_external([run.agent])
        if await self._writer.insert(run):
            return run
        existing = await get_run(self._engine, run.id)
        if existing is None:  # pragma: no cover - the conflicting row was deleted meanwhile
            raise BadUserInput("requestId conflicts with a run that no longer exists")
        return existing
