"""Resolvers for runs: read one or a page, execute an agent, record an external run, live feed."""

from collections.abc import AsyncGenerator
from datetime import datetime
from functools import partial
from typing import Any

import strawberry
from starlette.requests import Request

from graph.context import Context
from graph.enums import RunStatus
from graph.inputs import RecordRunInput
from graph.types.run import RecordRunsResult, Run, RunConnection
from services import validation
from services.api_keys import ANONYMOUS
from services.money import usd_input
from services.pubsub import RunRecorded
from services.records import RunErrorInfo
from services.runs import ReportedCall, ReportedRun, RunFilter

Info = strawberry.Info[Context, Any]


async def run(info: Info, id: strawberry.ID) -> Run | None:
    record = await info.context.platform.run_queries.get(str(id)[:100])
    return None if record is None else Run.from_record(record)


async def runs(
    info: Info,
    agent: str | None = None,
    status: RunStatus | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    first: int = 50,
    after: str | None = None,
) -> RunConnection:
    validation.window(since, until)
    flt = RunFilter(agent, status, since, until)
    page = await info.context.platform.run_queries.page(flt, first, after)
    return RunConnection.from_page(page)


async def run_agent(
    info: Info, agent: str, input: strawberry.scalars.JSON, wait: bool = True
) -> Run:
    validation.agent_name(agent)
    request = info.context.request
    abandoned = None
    if isinstance(request, Request):  # over WebSockets, a closed socket cancels the operation
        abandoned = partial(_disconnected, request)
    record = await info.context.platform.runner.run(agent, input, wait, abandoned)
    return Run.from_record(record)


async def _disconnected(request: Request) -> None:
    """Return when the HTTP client goes away (the body is already read: only
    `http.disconnect` can arrive)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def client_address(info: Info) -> str:
    """Who a recordRun comes from, for the ingestion limit: the client address."""
    request = info.context.request
    client = request.client if request is not None else None
    return client.host if client is not None else "unknown"


def _check_ingestion(info: Info) -> None:
    principal = info.context.principal or ANONYMOUS
    info.context.platform.check_ingestion(principal, client_address(info))


async def record_run(info: Info, input: RecordRunInput) -> Run:
    _check_ingestion(info)
    return Run.from_record(await info.context.platform.ingestor.record(_report(input)))


async def record_runs(info: Info, runs: list[RecordRunInput]) -> RecordRunsResult:
    _check_ingestion(info)  # one token per request
    stored = await info.context.platform.ingestor.record_many([_report(r) for r in runs])
    return RecordRunsResult(count=len(stored), ids=[strawberry.ID(r.id) for r in stored])


def _report(input: RecordRunInput) -> ReportedRun:
    calls = None
    if input.calls is not None:
        calls = tuple(
            ReportedCall(
                model=c.model,
                provider=c.provider,
                started_at=c.started_at,
                latency_ms=c.latency_ms,
                input_tokens=c.input_tokens,
                cached_tokens=c.cached_tokens,
                cache_write_tokens=c.cache_write_tokens,
                output_tokens=c.output_tokens,
                reasoning_tokens=c.reasoning_tokens,
                cost_usd=None if c.cost_usd is None else usd_input(c.cost_usd, "calls.costUsd"),
            )
            for c in input.calls
        )
    error = None
    if input.error is not None:
        error = RunErrorInfo(input.error.message, input.error.type, input.error.stack_trace)
    report = ReportedRun(
        agent=input.agent,
        status=input.status,
        started_at=input.started_at,
        latency_ms=input.latency_ms,
        model=input.model,
        input_tokens=input.input_tokens,
        output_tokens=input.output_tokens,
        error=error,
        trace_id=input.trace_id,
        request_id=input.request_id,
        input=input.input,
        output=input.output,
        cached_tokens=input.cached_tokens,
        reasoning_tokens=input.reasoning_tokens,
        cost_usd=None if input.cost_usd is None else usd_input(input.cost_usd, "costUsd"),
        calls=calls,
    )
    return report


async def run_recorded(info: Info, agent: str | None = None) -> AsyncGenerator[Run, None]:
    def wanted(event: RunRecorded) -> bool:
        return agent is None or event.run.agent == agent

    async with info.context.platform.runs.subscribe(wanted) as subscription:
        async for event in subscription:
            yield Run.from_record(event.run)
