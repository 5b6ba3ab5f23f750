"""`recordRun`: validate and store runs executed elsewhere, idempotently by `requestId`."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services import validation
from services.agents import AgentRegistry
from services.clock import Clock
from services.cost import PriceStore, run_cost
from services.errors import BadUserInput
from services.money import MAX_USD
from services.records import CostSource, LlmCallRecord, RunErrorInfo, RunRecord, RunStatus
from services.runs.payloads import ensure_within, to_storable
from services.runs.queries import get_run
from services.runs.writer import RunWriter

# Run ids of idempotent reports are derived from the requestId, so a retried report maps to the
# same primary key and the database itself rejects the duplicate, even across instances.
REQUEST_ID_NAMESPACE = uuid.UUID("6f1d7c55-3f0b-4be4-9a0e-6a2d0c6a9f11")
MAX_CALLS_PER_RUN = 1000
MAX_BATCH = 1000


@dataclass(frozen=True)
class ReportedCall:
    """One model call of a reported run; `input_tokens` includes `cached_tokens`."""

    model: str | None
    provider: str | None = None
    started_at: datetime | None = None
    latency_ms: float | None = None
    input_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: Decimal | None = None


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
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    error: RunErrorInfo | None = None
    trace_id: str | None = None
    request_id: str | None = None
    input: Any = None
    output: Any = None
    cost_usd: Decimal | None = None
    calls: tuple[ReportedCall, ...] | None = field(default=None)


class RunIngestor:
    def __init__(
        self,
        engine: AsyncEngine,
        registry: AgentRegistry,
        writer: RunWriter,
        prices: PriceStore,
        clock: Clock,
        max_input_bytes: int,
        stored_payload_bytes: int,
    ) -> None:
        self._engine = engine
        self._registry = registry
        self._writer = writer
        self._prices = prices
        self._clock = clock
        self._max_input_bytes = max_input_bytes
        self._stored_payload_bytes = stored_payload_bytes

    def validate(self, report: ReportedRun) -> RunRecord:
        """Check every field and build the priced record; raises BadUserInput before anything
        is stored."""
        now = self._clock.now()
        validation.agent_name(report.agent)
        if report.status is RunStatus.RUNNING:
            raise BadUserInput("recordRun takes finished runs: status cannot be RUNNING")
        if report.status is RunStatus.SUCCESS and report.error is not None:
            raise BadUserInput("a SUCCESS run cannot carry an error", field="error")
        latency = validation.latency_ms(report.latency_ms)
        started = report.started_at or (now - timedelta(milliseconds=latency or 0))
        validation.timestamp(started, now, "startedAt")
        for value, name in (
            (report.model, "model"),
            (report.trace_id, "traceId"),
            (report.request_id, "requestId"),
        ):
            validation.text(value, name)
        if report.request_id is not None and not report.request_id.strip():
            raise BadUserInput("requestId must not be blank", field="requestId")
        if report.error is not None:
            validation.text(report.error.type, "error.type")
            validation.text(report.error.message, "error.message")
            validation.text(report.error.stack_trace, "error.stackTrace")
        _tokens(
            report.input_tokens,
            report.cached_tokens,
            0,
            report.output_tokens,
            report.reasoning_tokens,
            "",
        )
        ensure_within(report.input, self._max_input_bytes, "input")
        ensure_within(report.output, self._max_input_bytes, "output")
        calls = self._calls(report, started, now)
        if report.calls is not None and calls:
            input_tokens = sum(c.input_tokens for c in calls)
            output_tokens = sum(c.output_tokens for c in calls)
        else:
            input_tokens, output_tokens = report.input_tokens, report.output_tokens
        cost, source = run_cost(calls, report.cost_usd, input_tokens + output_tokens)
        if cost is not None and cost > MAX_USD:
            raise BadUserInput(
                f"the run's cost {cost:.2f} USD exceeds {MAX_USD:,} USD (check the token counts)",
                field="costUsd",
            )
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
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            error=report.error,
            trace_id=report.trace_id,
            input=to_storable(report.input, self._stored_payload_bytes),
            output=to_storable(report.output, self._stored_payload_bytes),
            request_id=report.request_id,
            calls=calls,
            cost_usd=cost,
            cost_source=source,
        )

    def _calls(
        self, report: ReportedRun, started: datetime, now: datetime
    ) -> tuple[LlmCallRecord, ...]:
        """Per-call usage as reported, or one call made of the run-level model and tokens."""
        reported = report.calls
        if reported is None:
            if report.model is None and report.input_tokens == 0 and report.output_tokens == 0:
                return ()
            reported = (
                ReportedCall(
                    model=report.model,
                    started_at=started,
                    latency_ms=report.latency_ms,
                    input_tokens=report.input_tokens,
                    cached_tokens=report.cached_tokens,
                    output_tokens=report.output_tokens,
                    reasoning_tokens=report.reasoning_tokens,
                ),
            )
        if len(reported) > MAX_CALLS_PER_RUN:
            raise BadUserInput(f"at most {MAX_CALLS_PER_RUN} calls per run", field="calls")
        book = self._prices.book
        calls = []
        for seq, call in enumerate(reported):
            where = f"calls[{seq}]."
            _tokens(
                call.input_tokens,
                call.cached_tokens,
                call.cache_write_tokens,
                call.output_tokens,
                call.reasoning_tokens,
                where,
            )
            validation.text(call.model, "model")
            validation.text(call.provider, "provider")  # llm_call.provider is VARCHAR(100)
            validation.latency_ms(call.latency_ms)
            at = call.started_at or started
            validation.timestamp(at, now, f"{where}startedAt")
            record = LlmCallRecord(
                seq=seq,
                model=call.model,
                provider=call.provider,
                started_at=at,
                latency_ms=call.latency_ms,
                input_tokens=call.input_tokens,
                cached_input_tokens=call.cached_tokens,
                cache_write_tokens=call.cache_write_tokens,
                output_tokens=call.output_tokens,
                reasoning_tokens=call.reasoning_tokens,
                cost_usd=call.cost_usd,
                cost_source=CostSource.REPORTED
                if call.cost_usd is not None
                else CostSource.UNPRICED,
            )
            priced = book.priced(record)
            if priced.cost_usd is not None and priced.cost_usd > MAX_USD:
                raise BadUserInput(
                    f"{where}costUsd exceeds {MAX_USD:,} USD", field=f"{where}costUsd"
                )
            calls.append(priced)
        return tuple(calls)

    async def record_many(self, reports: list[ReportedRun]) -> list[RunRecord]:
        """Validate every run first (an invalid one stores nothing and names its index), then
        store them all in one transaction: a batch whose write fails stores none. Each run is
        idempotent by its own requestId."""
        if not 1 <= len(reports) <= MAX_BATCH:
            raise BadUserInput(f"runs must hold 1 to {MAX_BATCH} runs", field="runs")
        runs = []
        for index, report in enumerate(reports):
            try:
                runs.append(self.validate(report))
            except BadUserInput as exc:
                raise BadUserInput(
                    f"runs[{index}]: {exc.message}", index=index, **exc.extensions
                ) from exc
        await self._registry.ensure_external({run.agent for run in runs})
        stored = await self._writer.insert_many(runs)
        result = []
        for run, inserted in zip(runs, stored, strict=True):
            existing = run if inserted else await get_run(self._engine, run.id)
            result.append(existing or run)
        return result

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


def _tokens(
    input_tokens: int, cached: int, cache_write: int, output: int, reasoning: int, where: str
) -> None:
    for value, name in (
        (input_tokens, "inputTokens"),
        (cached, "cachedTokens"),
        (cache_write, "cacheWriteTokens"),
        (output, "outputTokens"),
        (reasoning, "reasoningTokens"),
    ):
        validation.token_count(value, f"{where}{name}")
    if cached + cache_write > input_tokens:
        raise BadUserInput(
            f"{where}cachedTokens + cacheWriteTokens cannot exceed inputTokens "
            "(inputTokens includes cached tokens)",
            field=f"{where}cachedTokens",
        )
    if reasoning > output:
        raise BadUserInput(
            f"{where}reasoningTokens cannot exceed outputTokens (outputTokens includes reasoning)",
            field=f"{where}reasoningTokens",
        )
