"""Simulated provider chat model: realistic latency, failures, token usage and tool calls.

No network and no API key: every response is synthesised locally. It exists so AgentWatch demos and
tests exercise the same callback, usage and metadata surface as real LangChain provider
integrations (ChatOpenAI, ChatAnthropic, ...), which LangChain's own fake models do not provide.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr, model_validator

# Module-level aliases: inside a pydantic model body `dict` names BaseModel.dict, not the builtin.
JsonDict = dict[str, Any]
ToolLike = dict[str, Any] | type | Callable[..., Any] | BaseTool

# (status, provider-style message, relative weight); 429s dominate real-world failures.
_FAILURES: dict[str, tuple[tuple[int, str, float], ...]] = {
    "openai": (
        (429, "Rate limit reached for {model} on tokens per min (TPM). Try again in 1.2s.", 0.6),
        (500, "The server had an error while processing your request. Sorry about that!", 0.2),
        (503, "The engine is currently overloaded, please try again later.", 0.2),
    ),
    "anthropic": (
        (429, "rate_limit_error: Number of request tokens has exceeded your rate limit.", 0.5),
        (500, "api_error: Internal server error", 0.2),
        (529, "overloaded_error: Overloaded", 0.3),
    ),
    "google": (
        (429, "RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).", 0.6),
        (500, "INTERNAL: An internal error has occurred. Please retry.", 0.2),
        (503, "UNAVAILABLE: The model is overloaded. Please try again later.", 0.2),
    ),
}
# Provider-native finish reasons for (text answer, tool call).
_FINISH: dict[str, tuple[str, str]] = {
    "openai": ("stop", "tool_calls"),
    "anthropic": ("end_turn", "tool_use"),
    "google": ("STOP", "STOP"),
}


@dataclass(frozen=True)
class SimulatedResponse:
    """httpx.Response look-alike; LangChain copies status_code/body/headers into error metadata."""

    status_code: int
    body: JsonDict
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> JsonDict:
        """Return the decoded error body."""
        return self.body


class SimulatedProviderError(Exception):
    """A simulated provider API failure (HTTP 429 / 5xx) raised by `SimulatedChatModel`."""

    def __init__(self, provider: str, model_name: str, status_code: int, message: str) -> None:
        super().__init__(f"Error code: {status_code} - {message}")
        self.provider = provider
        self.model_name = model_name
        self.status_code = status_code
        headers = {"retry-after": "1"} if status_code == 429 else {}
        body = {"error": {"message": message, "code": status_code}}
        self.response = SimulatedResponse(status_code, body, headers)


class SimulatedChatModel(BaseChatModel):
    """Offline chat model that mimics a priced provider model for observability purposes.

    Each call draws a lognormal latency (median `latency_ms`), fails with probability
    `failure_rate`, and reports LangChain-standard `usage_metadata` (~4 chars per token, tool
    schemas included as real providers bill them). With `tools` bound it answers a fresh question
    with `tool_calls` and answers from `ToolMessage` results once tools have run in this turn.
    """

    model_name: str
    provider: str = "openai"
    latency_ms: float = Field(default=500.0, ge=0)
    latency_sigma: float = Field(default=0.5, ge=0)
    failure_rate: float = Field(default=0.0, ge=0, le=1)
    cache_hit_rate: float = Field(default=0.0, ge=0, le=1)
    reasoning_ratio: float = Field(default=0.0, ge=0, lt=1)
    """Fraction of reported output tokens that are hidden reasoning (o-series style)."""
    seed: int | None = None
    reply: str | None = None
    """Fixed text for every non-tool answer; None composes one from the conversation."""

    _rng: random.Random = PrivateAttr(default_factory=random.Random)

    @model_validator(mode="after")
    def _seed_simulated_rng(self) -> Self:
        # Per-instance RNG so a seeded model is reproducible regardless of global random state.
        self._rng = random.Random(self.seed)
        return self

    @property
    def _llm_type(self) -> str:
        return "simulated-chat"

    @property
    def _identifying_params(self) -> Mapping[str, Any]:
        return {
            "model_name": self.model_name,
            "provider": self.provider,
            "latency_ms": self.latency_ms,
            "latency_sigma": self.latency_sigma,
            "failure_rate": self.failure_rate,
            "cache_hit_rate": self.cache_hit_rate,
            "reasoning_ratio": self.reasoning_ratio,
            "seed": self.seed,
        }

    def _combine_llm_outputs(self, llm_outputs: list[JsonDict | None], /) -> JsonDict:
        # The base returns {}; keep model_name on batched LLMResults like provider integrations.
        return {"model_name": self.model_name}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = self.provider
        model = kwargs.get("model")
        params["ls_model_name"] = model if isinstance(model, str) else self.model_name
        return params

    def bind_tools(
        self,
        tools: Sequence[ToolLike],
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools in OpenAI format; `tool_choice` may be "auto", "any", "none" or a name."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    # --- generation -----------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        latency, outcome = self._simulate(messages, stop, kwargs)
        time.sleep(latency)
        if isinstance(outcome, SimulatedProviderError):
            raise outcome
        return self._result(outcome)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        latency, outcome = self._simulate(messages, stop, kwargs)
        await asyncio.sleep(latency)
        if isinstance(outcome, SimulatedProviderError):
            raise outcome
        return self._result(outcome)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        latency, outcome = self._simulate(messages, stop, kwargs)
        if isinstance(outcome, SimulatedProviderError):
            time.sleep(latency)
            raise outcome
        chunks = _to_chunks(outcome)
        # Time to first token is about half the latency; the rest is spread over the chunks.
        time.sleep(latency / 2)
        for chunk in chunks:
            yield chunk
            time.sleep(latency / 2 / len(chunks))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        # No on_llm_new_token here: BaseChatModel emits it for every chunk we yield.
        latency, outcome = self._simulate(messages, stop, kwargs)
        if isinstance(outcome, SimulatedProviderError):
            await asyncio.sleep(latency)
            raise outcome
        chunks = _to_chunks(outcome)
        await asyncio.sleep(latency / 2)
        for chunk in chunks:
            yield chunk
            await asyncio.sleep(latency / 2 / len(chunks))

    # --- simulation internals ---------------------------------------------------------------

    def _simulate(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: JsonDict
    ) -> tuple[float, AIMessage | SimulatedProviderError]:
        """Draw latency and the outcome up front so seeded runs don't depend on timing."""
        latency = 0.0
        if self.latency_ms > 0:
            median = math.log(self.latency_ms)
            latency = self._rng.lognormvariate(median, self.latency_sigma) / 1000
        if self._rng.random() < self.failure_rate:
            options = _FAILURES.get(self.provider, _FAILURES["openai"])
            status, template, _ = self._rng.choices(options, weights=[o[2] for o in options])[0]
            text = template.format(model=self.model_name)
            error = SimulatedProviderError(self.provider, self.model_name, status, text)
            # Providers reject quickly: an error arrives well before a full completion would.
            return latency / 4, error
        return latency, self._respond(messages, stop, kwargs)

    def _respond(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: JsonDict
    ) -> AIMessage:
        tools: list[JsonDict] = list(kwargs.get("tools") or [])
        tool_calls = self._plan_tool_calls(messages, tools, kwargs.get("tool_choice"))
        content = ""
        if tool_calls:
            visible = _count_tokens(json.dumps([[c["name"], c["args"]] for c in tool_calls]))
        else:
            content = self.reply if self.reply is not None else _compose_answer(messages, self._rng)
            for seq in stop or []:
                content = content.split(seq, 1)[0]
            visible = _count_tokens(content)
        prompt = "".join(_message_text(m) for m in messages) + (json.dumps(tools) if tools else "")
        finish = _FINISH.get(self.provider, _FINISH["openai"])[1 if tool_calls else 0]
        return AIMessage(
            content=content,
            tool_calls=tool_calls,
            usage_metadata=self._usage(_count_tokens(prompt), visible),
            response_metadata={"model_name": self.model_name, "finish_reason": finish},
        )

    def _usage(self, input_tokens: int, visible_output: int) -> UsageMetadata:
        """LangChain convention: input includes cache reads, output includes reasoning."""
        cached = int(input_tokens * self.cache_hit_rate)
        reasoning = round(visible_output * self.reasoning_ratio / (1 - self.reasoning_ratio))
        output = visible_output + reasoning
        usage = UsageMetadata(
            input_tokens=input_tokens,
            output_tokens=output,
            total_tokens=input_tokens + output,
            input_token_details={"cache_read": cached},
        )
        if reasoning:
            usage["output_token_details"] = {"reasoning": reasoning}
        return usage

    def _plan_tool_calls(
        self, messages: list[BaseMessage], tools: list[JsonDict], tool_choice: object
    ) -> list[ToolCall]:
        if not tools or tool_choice == "none":
            return []
        turn = messages[_last_human_index(messages) + 1 :]
        if any(
            isinstance(m, ToolMessage) or (isinstance(m, AIMessage) and m.tool_calls) for m in turn
        ):
            return []  # tools already ran this turn: time to answer
        humans = [m for m in messages if isinstance(m, HumanMessage)]
        question = _message_text(humans[-1] if humans else messages[-1])
        functions = [t.get("function", t) for t in tools]
        return [
            ToolCall(
                name=fn["name"],
                args=_build_tool_args(fn.get("parameters", {}), question),
                id=f"call_{self._rng.getrandbits(96):024x}",
                type="tool_call",
            )
            for fn in _choose_tools(question, functions, tool_choice)
        ]

    def _result(self, message: AIMessage) -> ChatResult:
        return ChatResult(
            generations=[ChatGeneration(message=message)],
            llm_output={"model_name": self.model_name},
        )


def _to_chunks(message: AIMessage) -> list[ChatGenerationChunk]:
    """Split a response into stream chunks; usage/metadata ride only on the last one.

    Only the last chunk carries metadata because chunk merging concatenates string values.
    """
    text = message.content if isinstance(message.content, str) else ""
    chunks = [ChatGenerationChunk(message=AIMessageChunk(content=p)) for p in _split_pieces(text)]
    if message.tool_calls:
        parts = [
            tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
            for i, c in enumerate(message.tool_calls)
        ]
        chunks.append(
            ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=parts))
        )
    last = AIMessageChunk(
        content="",
        usage_metadata=message.usage_metadata,
        response_metadata=message.response_metadata,
        chunk_position="last",
    )
    chunks.append(ChatGenerationChunk(message=last))
    return chunks


# --- text heuristics: a crude stand-in for what a real LLM would write ------------------------

_STOPWORDS = frozenset(
    {"the", "and", "for", "with", "what", "how", "are", "you", "this", "that", "get", "can", "does"}
)
_ARITHMETIC = re.compile(r"[\d(][\d\s.()+\-*/]*[\d)]")
# Ids look like "ORD-1042", "#55310" or a long digit run; short numbers are quantities.
_IDENTIFIER = re.compile(r"\b[A-Za-z]+-\d[\w-]*|#\d+|\b\d{4,}\b")
_OPENERS = ("Sure.", "Good question.", "Here's a concise answer.", "Thanks for asking.")
_CLOSERS = ("", "I hope this helps.", "Let me know if you need more detail.")


def _count_tokens(text: str) -> int:
    """Estimate tokens at ~4 characters each, never less than 1."""
    return max(1, math.ceil(len(text) / 4))


def _message_text(message: BaseMessage) -> str:
    """Text a provider would tokenize for `message`, including tool-call arguments."""
    text = str(message.text)
    if isinstance(message, AIMessage) and message.tool_calls:
        text += json.dumps([[c["name"], c["args"]] for c in message.tool_calls])
    return text


def _last_human_index(messages: Sequence[BaseMessage]) -> int:
    """Index of the last HumanMessage, or -1 if there is none."""
    return max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)


def _keywords(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    # Naive singularisation so "orders" matches "order".
    return {
        w[:-1] if w.endswith("s") and len(w) > 4 else w for w in words if len(w) > 2
    } - _STOPWORDS


def _choose_tools(question: str, functions: list[JsonDict], tool_choice: object) -> list[JsonDict]:
    """The named tool, else the top scorers (shared words + argument fit); never empty."""
    named = [f for f in functions if f.get("name") == tool_choice]
    if named:
        return named
    asked = _keywords(question)
    scores = [
        len(asked & _keywords(f"{f['name'].replace('_', ' ')} {f.get('description', '')}"))
        + 2 * _argument_fit(f.get("parameters", {}), question)
        for f in functions
    ]
    best = max(scores)
    if best == 0:
        return functions[:1]
    return [f for f, score in zip(functions, scores, strict=True) if score == best]


def _argument_fit(schema: JsonDict, question: str) -> int:
    """How many string params get a specific value (expression, id) out of the question.

    Mirrors an LLM noticing that "What is 3 * 4?" fits a tool taking an `expression`.
    """
    names = [str(n).lower() for n in schema.get("properties", {})]
    return sum(_string_arg(n, question) != question for n in names)


def _build_tool_args(schema: JsonDict, question: str) -> JsonDict:
    """Fill each parameter from the question: numbers found in it, ids, expressions or the text."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", question)]
    args: JsonDict = {}
    for name, spec in schema.get("properties", {}).items():
        kind = spec.get("type", "string") if isinstance(spec, dict) else "string"
        if kind in ("number", "integer"):
            value = numbers.pop(0) if numbers else 1.0
            args[name] = int(value) if kind == "integer" or value.is_integer() else value
        elif kind == "boolean":
            args[name] = True
        elif kind == "array":
            args[name] = [question]
        else:
            args[name] = _string_arg(name.lower(), question)
    return args


def _string_arg(param: str, question: str) -> str:
    if param in {"expression", "expr", "formula", "equation"}:
        found = [m.strip() for m in _ARITHMETIC.findall(question) if re.search(r"[-+*/]", m)]
        if found:
            return str(max(found, key=len))
    if param == "id" or param.endswith("_id"):
        ids = _IDENTIFIER.findall(question)
        if ids:
            return str(max(ids, key=len)).lstrip("#")
    return question


def _compose_answer(messages: Sequence[BaseMessage], rng: random.Random) -> str:
    """A plausible answer: this turn's tool results, a summary of a passage, or a reply."""
    start = _last_human_index(messages)
    results = [m for m in messages[start + 1 :] if isinstance(m, ToolMessage)]
    closer = rng.choice(_CLOSERS)
    if results:
        found = "; ".join(
            f"{m.name or 'tool'} returned {_snippet(str(m.text), 160).rstrip('.')}" for m in results
        )
        return f"Based on the tool results: {found}. {closer}".strip()
    text = " ".join(_message_text(messages[start] if start >= 0 else messages[-1]).split())
    sentences = re.split(r"(?<=[.!?])\s+", text)
    instructions = " ".join(str(m.text) for m in messages if isinstance(m, SystemMessage))
    if "summar" in instructions.lower() or (len(sentences) > 1 and not text.endswith("?")):
        # Asked to summarise, or given a passage rather than a question: answer extractively.
        return _snippet(" ".join(sentences[: rng.randint(1, 3)]), 400)
    gist = _snippet(text, rng.randint(60, 240))
    opener = rng.choice(_OPENERS)
    return f'{opener} Regarding "{gist}": here is what you need to know. {closer}'.strip()


def _split_pieces(text: str, pieces: int = 4) -> list[str]:
    """Split `text` into at most `pieces` whitespace-preserving parts (none for empty text)."""
    words = re.findall(r"\S+\s*|\s+", text)
    size = max(1, math.ceil(len(words) / pieces))
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


def _snippet(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"
