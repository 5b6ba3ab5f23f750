"""Executes agents: timeout, usage capture, error capture, storage and background runs."""

import asyncio
import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from langchain_core.runnables import RunnableConfig

from services.agents import AgentRegistry, RegisteredAgent
from services.clock import Clock
from services.cost import PriceStore, run_cost
from services.errors import AgentDisabled, AgentNotFound
from services.rate_limit import LimitCounters, Permit, RateLimited, RateLimiter
from services.records import RunErrorInfo, RunRecord, RunStatus
from services.runs.langsmith_link import trace_url, tracing_on
from services.runs.payloads import ensure_within, to_storable
from services.runs.usage_callback import UsageCollector, primary_model
from services.runs.writer import RunWriter

log = logging.getLogger(__name__)
MAX_STACK_CHARS = 65_536


class AgentRunner:
    """Runs registered agents and records every run, whatever its outcome."""

    def __init__(
        self,
        registry: AgentRegistry,
        writer: RunWriter,
        prices: PriceStore,
        clock: Clock,
        max_input_bytes: int,
        stored_payload_bytes: int,
        limiter: RateLimiter,
        counters: LimitCounters,
    ) -> None:
        self._limiter = limiter
        self._counters = counters
        self._registry = registry
        self._prices = prices
        self._writer = writer
        self._clock = clock
        self._max_input_bytes = max_input_bytes
        self._stored_payload_bytes = stored_payload_bytes
        self._background: set[asyncio.Task[RunRecord]] = set()

    async def run(
        self,
        agent_name: str,
        payload: Any,
        wait: bool = True,
        abandoned: Callable[[], Awaitable[None]] | None = None,
    ) -> RunRecord:
        """Start a run once the agent's rate limit admits it; with `wait` return it finished,
        else return it RUNNING at once. `abandoned` completes when the caller goes away: a call
        still queued then gives its place back (raises CancelledError)."""
        agent = await self._resolve(agent_name)
        ensure_within(payload, self._max_input_bytes, "input")
        permit = await self._admit(agent.spec.name, abandoned)
        try:
            return await self._start(agent, payload, wait, permit)
        except BaseException:
            await permit.release()
            raise

    async def _admit(self, agent: str, abandoned: Callable[[], Awaitable[None]] | None) -> Permit:
        acquire = asyncio.ensure_future(self._limiter.acquire(agent))
        watch = asyncio.ensure_future(abandoned()) if abandoned else None
        try:
            if watch is not None:
                await asyncio.wait({acquire, watch}, return_when=asyncio.FIRST_COMPLETED)
                if not acquire.done():
                    acquire.cancel()  # the caller left while queued: its place goes back
                    await asyncio.gather(acquire, return_exceptions=True)
                    raise asyncio.CancelledError("caller disconnected while queued")
            permit = await acquire
        except RateLimited:
            self._counters.rejected(agent)
            raise
        finally:
            if watch is not None:
                watch.cancel()
            if not acquire.done():
                acquire.cancel()
        if permit.queued:
            self._counters.queued(agent)
        return permit

    async def _start(
        self, agent: RegisteredAgent, payload: Any, wait: bool, permit: Permit
    ) -> RunRecord:
        started = RunRecord(
            id=str(uuid.uuid4()),
            agent=agent.spec.name,
            status=RunStatus.RUNNING,
            started_at=self._clock.now(),
            input=to_storable(payload, self._stored_payload_bytes),
            calls=(),
        )
        await self._writer.insert(started)
        if wait:
            async with permit:
                return await self._execute(agent, started, payload)
        task = asyncio.create_task(self._execute_then_release(agent, started, payload, permit))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return started

    async def _execute_then_release(
        self, agent: RegisteredAgent, run: RunRecord, payload: Any, permit: Permit
    ) -> RunRecord:
        async with permit:
            return await self._execute(agent, run, payload)

    async def drain(self, grace_seconds: float = 5.0) -> None:
        """On shutdown: give background runs `grace_seconds`, then cancel (and record) the rest."""
        if not self._background:
            return
        _done, pending = await asyncio.wait(set(self._background), timeout=grace_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _resolve(self, name: str) -> RegisteredAgent:
        agent = self._registry.executable(name)
        if agent is None:
            known = self._registry.is_known(name)
            detail = " (it only reports runs through recordRun)" if known else ""
            raise AgentNotFound(f"no executable agent named {name[:100]!r}{detail}", agent=name)
        if not agent.spec.enabled:
            raise AgentDisabled(f"agent {name!r} is disabled", agent=name)
        return agent

    async def _execute(self, agent: RegisteredAgent, run: RunRecord, payload: Any) -> RunRecord:
        collector = UsageCollector(self._clock)
        config: RunnableConfig = {
            "callbacks": [collector],
            "run_id": uuid.UUID(run.id),  # LangSmith's trace id becomes our run id
            "run_name": agent.spec.name,
            "tags": ["agentwatch"],
            "metadata": {**agent.spec.metadata, "agentwatch_run_id": run.id},
        }
        traced = tracing_on()
        begin = self._clock.monotonic()
        status, output, error = RunStatus.SUCCESS, None, None
        try:
            async with asyncio.timeout(agent.spec.timeout_seconds) as deadline:
                output = await agent.runnable.ainvoke(payload, config=config)
        except TimeoutError as exc:
            if deadline.expired():
                status = RunStatus.TIMEOUT
                error = RunErrorInfo(
                    f"agent {agent.spec.name!r} exceeded its {agent.spec.timeout_seconds:g}s "
                    "timeout",
                    "TimeoutError",
                    None,
                )
            else:
                status, error = RunStatus.ERROR, _error_info(exc)
        except asyncio.CancelledError:
            # Shutdown or a cancelled background run: store the outcome, then honour the cancel.
            await self._writer.finish(
                self._finished(
                    run,
                    collector,
                    RunStatus.ERROR,
                    None,
                    RunErrorInfo("run cancelled before it finished", "CancelledError"),
                    begin,
                    traced,
                )
            )
            raise
        except Exception as exc:
            status, error = RunStatus.ERROR, _error_info(exc)
        finished = self._finished(run, collector, status, output, error, begin, traced)
        await self._writer.finish(finished)
        return finished

    def _finished(
        self,
        run: RunRecord,
        collector: UsageCollector,
        status: RunStatus,
        output: Any,
        error: RunErrorInfo | None,
        begin: float,
        traced: bool,
    ) -> RunRecord:
        latency_ms = (self._clock.monotonic() - begin) * 1000
        book = self._prices.book
        calls = tuple(book.priced(call) for call in collector.calls)
        tokens = sum(c.input_tokens + c.output_tokens for c in calls)
        cost, source = run_cost(calls, None, tokens)
        return RunRecord(
            id=run.id,
            agent=run.agent,
            status=status,
            started_at=run.started_at,
            ended_at=run.started_at + timedelta(milliseconds=latency_ms),
            latency_ms=latency_ms,
            model=primary_model(list(calls)),
            input_tokens=sum(c.input_tokens for c in calls),
            output_tokens=sum(c.output_tokens for c in calls),
            error=error,
            trace_id=run.id if traced else None,
            trace_url=trace_url(run.id) if traced else None,
            input=run.input,
            output=to_storable(output, self._stored_payload_bytes),
            calls=calls,
            cost_usd=cost,
            cost_source=source,
        )


def _error_info(exc: BaseException) -> RunErrorInfo:
    stack = "".join(traceback.format_exception(exc))
    return RunErrorInfo(
        message=str(exc)[:16_384] or type(exc).__name__,
        type=f"{type(exc).__module__}.{type(exc).__qualname__}"
        if type(exc).__module__ != "builtins"
        else type(exc).__qualname__,
        stack_trace=stack[-MAX_STACK_CHARS:],
    )
