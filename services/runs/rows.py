"""Mapping between `RunRecord` and rows of the `run` and `llm_call` tables (SQL Core, no ORM)."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import RowMapping

from services.money import from_picos, to_picos
from services.records import CostSource, LlmCallRecord, RunErrorInfo, RunRecord, RunStatus


def run_to_row(run: RunRecord) -> dict[str, Any]:
    return {
        "id": run.id,
        "agent": run.agent,
        "status": run.status.value,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "latency_ms": run.latency_ms,
        "model": run.model,
        "input_tokens": run.input_tokens,
        "output_tokens": run.output_tokens,
        "error_message": run.error.message if run.error else None,
        "error_type": run.error.type if run.error else None,
        "error_stack": run.error.stack_trace if run.error else None,
        "trace_id": run.trace_id,
        "trace_url": run.trace_url,
        "input": run.input,
        "output": run.output,
        "request_id": run.request_id,
        "cost_pusd": None if run.cost_usd is None else to_picos(run.cost_usd),
        "cost_source": run.cost_source.value,
    }


def calls_to_rows(run: RunRecord) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run.id,
            "seq": call.seq,
            "model": call.model,
            "provider": call.provider,
            "started_at": call.started_at,
            "latency_ms": call.latency_ms,
            "input_tokens": call.input_tokens,
            "cached_input_tokens": call.cached_input_tokens,
            "cache_write_tokens": call.cache_write_tokens,
            "output_tokens": call.output_tokens,
            "reasoning_tokens": call.reasoning_tokens,
            "cost_pusd": None if call.cost_usd is None else to_picos(call.cost_usd),
            "cost_source": call.cost_source.value,
            "priced_as": call.priced_as,
        }
        for call in run.calls or ()
    ]


def call_from_row(row: Mapping[str, Any] | RowMapping) -> LlmCallRecord:
    return LlmCallRecord(
        seq=row["seq"],
        model=row["model"],
        provider=row["provider"],
        started_at=row["started_at"],
        latency_ms=row["latency_ms"],
        input_tokens=row["input_tokens"],
        cached_input_tokens=row["cached_input_tokens"],
        cache_write_tokens=row["cache_write_tokens"],
        output_tokens=row["output_tokens"],
        reasoning_tokens=row["reasoning_tokens"],
        cost_usd=from_picos(row["cost_pusd"]),
        cost_source=CostSource(row["cost_source"]),
        priced_as=row["priced_as"],
    )


def run_from_row(
    row: Mapping[str, Any] | RowMapping, calls: Sequence[LlmCallRecord] | None = None
) -> RunRecord:
    error = None
    if row["error_message"] is not None or row["error_type"] is not None:
        error = RunErrorInfo(
            message=row["error_message"] or "",
            type=row["error_type"] or "Error",
            stack_trace=row["error_stack"],
        )
    return RunRecord(
        id=row["id"],
        agent=row["agent"],
        status=RunStatus(row["status"]),
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        latency_ms=row["latency_ms"],
        model=row["model"],
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        error=error,
        trace_id=row["trace_id"],
        trace_url=row["trace_url"],
        input=row["input"],
        output=row["output"],
        request_id=row["request_id"],
        calls=None if calls is None else tuple(calls),
        cost_usd=from_picos(row["cost_pusd"]),
        cost_source=CostSource(row["cost_source"]),
    )
