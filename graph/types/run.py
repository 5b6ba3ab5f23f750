"""Run, its error and its model calls, and the Relay connection over runs."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph.context import Context
from graph.enums import CostSource, RunStatus
from graph.types.cost import usd
from services.records import LlmCallRecord, RunRecord
from services.runs import RunPage, encode_cursor


@strawberry.type(description="Why a run failed.")
class RunError:
    message: str = strawberry.field(description="The exception's message.")
    type: str = strawberry.field(description="The exception's class, module-qualified.")
    stack_trace: str | None = strawberry.field(description="The formatted traceback, if known.")


@strawberry.type(description="One chat-model call inside a run, with its token usage.")
class LlmCall:
    seq: int = strawberry.field(description="Order of the call within its run, from 0.")
    model: str | None = strawberry.field(description="Model name reported by the provider.")
    provider: str | None = strawberry.field(description="Provider, e.g. openai or anthropic.")
    started_at: datetime = strawberry.field(description="When the call started (UTC).")
    latency_ms: float | None = strawberry.field(description="Duration of the call.")
    input_tokens: int = strawberry.field(description="Prompt tokens, cached ones included.")
    cached_tokens: int = strawberry.field(description="Prompt tokens read from the cache.")
    cache_write_tokens: int = strawberry.field(description="Prompt tokens written to the cache.")
    output_tokens: int = strawberry.field(description="Completion tokens, reasoning included.")
    reasoning_tokens: int = strawberry.field(description="Completion tokens spent reasoning.")
    cost_usd: float | None = strawberry.field(description="Cost of this call; null if unpriced.")
    cost_source: CostSource = strawberry.field(description="Where the cost came from.")
    priced_as: str | None = strawberry.field(
        description="The catalog `provider:model` or override model the price came from."
    )

    @classmethod
    def from_record(cls, call: LlmCallRecord) -> "LlmCall":
        return cls(
            seq=call.seq,
            model=call.model,
            provider=call.provider,
            started_at=call.started_at,
            latency_ms=call.latency_ms,
            input_tokens=call.input_tokens,
            cached_tokens=call.cached_input_tokens,
            cache_write_tokens=call.cache_write_tokens,
            output_tokens=call.output_tokens,
            reasoning_tokens=call.reasoning_tokens,
            cost_usd=usd(call.cost_usd),
            cost_source=call.cost_source,
            priced_as=call.priced_as,
        )


@strawberry.type(description="One execution of an agent, run here or reported by recordRun.")
class Run:
    record: strawberry.Private[RunRecord]

    @strawberry.field(description="Run id (a UUID; equals the LangSmith trace id when traced).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Name of the agent that ran.")
    def agent(self) -> str:
        return self.record.agent

    @strawberry.field(description="Current status.")
    def status(self) -> RunStatus:
        return self.record.status

    @strawberry.field(description="When the run started (UTC).")
    def started_at(self) -> datetime:
        return self.record.started_at

    @strawberry.field(description="When the run finished (UTC); null while running.")
    def ended_at(self) -> datetime | None:
        return self.record.ended_at

    @strawberry.field(description="Wall-clock duration in milliseconds; null while running.")
    def latency_ms(self) -> float | None:
        return self.record.latency_ms

    @strawberry.field(description="Main model: the one that used the most tokens in the run.")
    def model(self) -> str | None:
        return self.record.model

    @strawberry.field(description="Prompt tokens over all model calls (cached included).")
    def input_tokens(self) -> int:
        return self.record.input_tokens

    @strawberry.field(description="Completion tokens over all model calls.")
    def output_tokens(self) -> int:
        return self.record.output_tokens

    @strawberry.field(description="inputTokens + outputTokens.")
    def total_tokens(self) -> int:
        return self.record.total_tokens

    @strawberry.field(
        description="Cost in USD: sum of the calls' costs, or the reported cost; "
        "null when any call could not be priced (never a silent 0)."
    )
    def cost_usd(self) -> float | None:
        return usd(self.record.cost_usd)

    @strawberry.field(description="Where the cost came from.")
    def cost_source(self) -> CostSource:
        return self.record.cost_source

    @strawberry.field(description="Why the run failed; null for successful runs.")
    def error(self) -> RunError | None:
        err = self.record.error
        if err is None:
            return None
        return RunError(message=err.message, type=err.type, stack_trace=err.stack_trace)

    @strawberry.field(description="LangSmith trace id when the run was traced.")
    def trace_id(self) -> str | None:
        return self.record.trace_id

    @strawberry.field(description="Link to the LangSmith trace, when known.")
    def trace_url(self) -> str | None:
        return self.record.trace_url

    @strawberry.field(description="The input, truncated to the documented stored size.")
    def input(self) -> JSON | None:
        return self.record.input  # type: ignore[no-any-return]

    @strawberry.field(description="The output, truncated to the documented stored size.")
    def output(self) -> JSON | None:
        return self.record.output  # type: ignore[no-any-return]

    @strawberry.field(description="Idempotency key given to recordRun, if any.")
    def request_id(self) -> str | None:
        return self.record.request_id

    @strawberry.field(description="Each model call of the run with its token usage.")
    async def calls(self, info: strawberry.Info[Context, Any]) -> list[LlmCall]:
        records = self.record.calls
        if records is None:
            records = tuple(await info.context.calls.load(self.record.id))
        return [LlmCall.from_record(call) for call in records]

    @classmethod
    def from_record(cls, record: RunRecord) -> "Run":
        return cls(record=record)


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether older runs follow.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type(description="A run and its cursor.")
class RunEdge:
    cursor: str = strawberry.field(description="Opaque keyset cursor of this run.")
    node: Run = strawberry.field(description="The run.")


@strawberry.type(description="A page of runs, newest first.")
class RunConnection:
    edges: list[RunEdge] = strawberry.field(description="The runs on this page.")
    page_info: PageInfo = strawberry.field(description="Where the next page starts.")

    @classmethod
    def from_page(cls, page: RunPage) -> "RunConnection":
        edges = [RunEdge(cursor=encode_cursor(r), node=Run.from_record(r)) for r in page.runs]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.type(description="What recordRuns stored.")
class RecordRunsResult:
    count: int = strawberry.field(description="Runs in the request.")
    ids: list[strawberry.ID] = strawberry.field(
        description="Their ids, in request order (the stored run's id for a repeated requestId)."
    )
