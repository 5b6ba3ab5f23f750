"""Agents used by the test suite, loaded by import path like any user's agent."""

import asyncio
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from services.demo import research_agent, summarizer, support_bot


def fast_support_bot() -> Runnable[Any, Any]:
    return support_bot(failure_rate=0.0, latency_ms=5.0, seed=7)


def fast_research_agent() -> Runnable[Any, Any]:
    return research_agent(failure_rate=0.0, latency_ms=5.0, seed=7)


def fast_summarizer() -> Runnable[Any, Any]:
    return summarizer(failure_rate=0.0, latency_ms=5.0, seed=7)


class InvoiceLookupError(RuntimeError):
    """A domain error raised by the failing test agent."""


async def _fail(payload: dict[str, Any]) -> Any:
    raise InvoiceLookupError(str(payload.get("message", "invoice 42 not found")))


async def _sleep(payload: dict[str, Any]) -> Any:
    await asyncio.sleep(float(payload.get("seconds", 30)))
    return {"slept": True}


async def _echo(payload: Any) -> Any:
    return payload


failing = RunnableLambda(_fail)
sleeper = RunnableLambda(_sleep)
echo = RunnableLambda(_echo)
