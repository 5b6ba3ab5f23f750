"""A LangChain callback handler that records model and token usage of every LLM call.

langchain-core's own `UsageMetadataCallbackHandler` skips a call unless usage and model name
are both present and aggregates per model; we need each call separately (an agent may call
several models several times) with its start time and latency for per-call pricing.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from services.clock import Clock
from services.records import LlmCallRecord


@dataclass(frozen=True)
class _Start:
    at: datetime
    monotonic: float
    model: str | None
    provider: str | None


class UsageCollector(AsyncCallbackHandler):
    """Collects one `LlmCallRecord` per finished chat-model or LLM call of one run."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._starts: dict[UUID, _Start] = {}
        self.calls: list[LlmCallRecord] = []

    def _start(self, run_id: UUID, metadata: dict[str, Any] | None) -> None:
        md = metadata or {}
        self._starts[run_id] = _Start(
            self._clock.now(),
            self._clock.monotonic(),
            md.get("ls_model_name"),
            md.get("ls_provider"),
        )

    async def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._start(run_id, metadata)

    async def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._start(run_id, metadata)

    async def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._starts.pop(run_id, None)

    async def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        start = self._starts.pop(run_id, None)
        now, mono = self._clock.now(), self._clock.monotonic()
        llm_output = response.llm_output or {}
        for generations in response.generations:
            for generation in generations:
                self.calls.append(self._call(generation, llm_output, start, now, mono))

    def _call(
        self,
        generation: Any,
        llm_output: dict[str, Any],
        start: _Start | None,
        now: datetime,
        mono: float,
    ) -> LlmCallRecord:
        message = generation.message if isinstance(generation, ChatGeneration) else None
        usage: dict[str, Any] = {}
        model = llm_output.get("model_name") or (start.model if start else None)
        if isinstance(message, AIMessage):
            usage = dict(message.usage_metadata or {})
            model = message.response_metadata.get("model_name") or model
        if not usage and isinstance(llm_output.get("token_usage"), dict):
            legacy = llm_output["token_usage"]  # pre-usage_metadata integrations
            usage = {
                "input_tokens": legacy.get("prompt_tokens", 0),
                "output_tokens": legacy.get("completion_tokens", 0),
            }
        input_details = usage.get("input_token_details") or {}
        output_details = usage.get("output_token_details") or {}
        return LlmCallRecord(
            seq=len(self.calls),
            model=model,
            provider=start.provider if start else None,
            started_at=start.at if start else now,
            latency_ms=(mono - start.monotonic) * 1000 if start else None,
            input_tokens=int(usage.get("input_tokens") or 0),
            cached_input_tokens=int(input_details.get("cache_read") or 0),
            cache_write_tokens=int(input_details.get("cache_creation") or 0),
            output_tokens=int(usage.get("output_tokens") or 0),
            reasoning_tokens=int(output_details.get("reasoning") or 0),
        )


def primary_model(calls: list[LlmCallRecord]) -> str | None:
    """The model that used the most tokens in a run (the first one on a tie)."""
    totals: dict[str, int] = {}
    for call in calls:
        if call.model:
            totals[call.model] = totals.get(call.model, 0) + call.input_tokens + call.output_tokens
    return max(totals, key=lambda m: totals[m]) if totals else None
