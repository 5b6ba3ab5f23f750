"""SimulatedChatModel: usage shape, metadata, tool calling, streaming, failures and seeding."""

import asyncio
import math
import time
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import ValidationError

from services.demo import SimulatedChatModel, SimulatedProviderError
from tests.support.callbacks import Recorder


@tool
def add_numbers(a: float, b: float) -> float:
    """Add two numbers together."""
    return a + b


@tool
def lookup_weather(city: str) -> str:
    """Look up the current weather forecast for a city."""
    return f"Sunny in {city}"


def make_model(**overrides: Any) -> SimulatedChatModel:
    params: dict[str, Any] = {"model_name": "gpt-4o-mini", "provider": "openai", "latency_ms": 2.0}
    return SimulatedChatModel(**{**params, **overrides})


async def test_usage_metadata_shape_and_input_includes_cache_reads() -> None:
    model = make_model(cache_hit_rate=0.5)
    result = await model.ainvoke([HumanMessage("x" * 400)])
    usage = result.usage_metadata
    assert usage is not None
    assert set(usage) == {"input_tokens", "output_tokens", "total_tokens", "input_token_details"}
    assert usage["input_tokens"] == 100  # 400 chars at ~4 chars/token
    assert usage["input_token_details"] == {"cache_read": 50}
    assert usage["output_tokens"] == math.ceil(len(str(result.content)) / 4)
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


async def test_reasoning_tokens_are_counted_inside_output_tokens() -> None:
    model = make_model(model_name="o4-mini", reasoning_ratio=0.5)
    result = await model.ainvoke("Explain prompt caching.")
    usage = result.usage_metadata
    assert usage is not None
    visible = math.ceil(len(str(result.content)) / 4)
    assert usage.get("output_token_details") == {"reasoning": visible}
    assert usage["output_tokens"] == 2 * visible


async def test_response_metadata_and_llm_output_name_the_model() -> None:
    model = make_model(model_name="claude-sonnet-4-20250514", provider="anthropic")
    recorder = Recorder()
    message = await model.ainvoke("hello", config={"callbacks": [recorder]})
    assert message.response_metadata["model_name"] == "claude-sonnet-4-20250514"
    assert message.response_metadata["finish_reason"] == "end_turn"
    assert recorder.model_ends[0].llm_output == {"model_name": "claude-sonnet-4-20250514"}
    batched = await model.agenerate([[HumanMessage("a")], [HumanMessage("b")]])
    assert batched.llm_output == {"model_name": "claude-sonnet-4-20250514"}


async def test_ls_params_reach_callback_metadata() -> None:
    model = make_model(model_name="gemini-2.0-flash", provider="google")
    recorder = Recorder()
    await model.ainvoke("hi", config={"callbacks": [recorder]})
    assert len(recorder.model_starts) == 1
    metadata = recorder.model_starts[0]
    assert metadata["ls_provider"] == "google"
    assert metadata["ls_model_name"] == "gemini-2.0-flash"
    assert metadata["ls_model_type"] == "chat"


async def test_bind_tools_calls_best_tool_then_answers_from_results() -> None:
    bound = make_model().bind_tools([add_numbers, lookup_weather])
    messages: list[BaseMessage] = [HumanMessage("What is the weather forecast in Paris?")]
    first = await bound.ainvoke(messages)
    assert [call["name"] for call in first.tool_calls] == ["lookup_weather"]
    call = first.tool_calls[0]
    assert call["args"] == {"city": "What is the weather forecast in Paris?"}
    assert call["id"] is not None and call["id"].startswith("call_")
    assert first.response_metadata["finish_reason"] == "tool_calls"
    messages += [first, await lookup_weather.ainvoke(call)]
    final = await bound.ainvoke(messages)
    assert final.tool_calls == []
    assert "Sunny in What is the weather forecast in Paris?" in str(final.content)
    assert final.response_metadata["finish_reason"] == "stop"


async def test_tool_args_take_numbers_from_the_question() -> None:
    bound = make_model().bind_tools([lookup_weather, add_numbers])
    result = await bound.ainvoke("Please add numbers 2 and 40.5")
    assert result.tool_calls[0]["name"] == "add_numbers"
    assert result.tool_calls[0]["args"] == {"a": 2, "b": 40.5}


async def test_tool_choice_none_and_named() -> None:
    model = make_model()
    plain = await model.bind_tools([add_numbers], tool_choice="none").ainvoke("add 1 and 2")
    assert plain.tool_calls == []
    named = model.bind_tools([add_numbers, lookup_weather], tool_choice="lookup_weather")
    forced = await named.ainvoke("add 1 and 2")
    assert [c["name"] for c in forced.tool_calls] == ["lookup_weather"]


async def test_answers_after_tool_message_even_without_new_human_turn() -> None:
    bound = make_model().bind_tools([add_numbers])
    tool_result = ToolMessage("3.0", tool_call_id="call_1", name="add_numbers")
    call = AIMessage("", tool_calls=[{"name": "add_numbers", "args": {}, "id": "call_1"}])
    result = await bound.ainvoke([HumanMessage("add 1 and 2"), call, tool_result])
    assert result.tool_calls == []
    assert "add_numbers returned 3.0" in str(result.content)


async def test_astream_yields_pieces_and_usage_on_aggregate() -> None:
    chunks = [c async for c in make_model(seed=3, cache_hit_rate=0.5).astream("Tell me a story")]
    assert sum(1 for c in chunks if c.content) >= 2
    assert [c.usage_metadata is not None for c in chunks].count(True) == 1
    aggregate = chunks[0]
    for chunk in chunks[1:]:
        aggregate = aggregate + chunk
    expected = await make_model(seed=3, cache_hit_rate=0.5).ainvoke("Tell me a story")
    assert aggregate.content == expected.content
    assert aggregate.usage_metadata == expected.usage_metadata
    assert aggregate.response_metadata["model_name"] == "gpt-4o-mini"


async def test_astream_with_tools_aggregates_tool_calls() -> None:
    bound = make_model().bind_tools([lookup_weather])
    aggregate: AIMessageChunk | None = None
    async for chunk in bound.astream("weather in Oslo?"):
        assert isinstance(chunk, AIMessageChunk)  # a bound chat model streams chunks
        aggregate = chunk if aggregate is None else aggregate + chunk
    assert aggregate is not None
    assert [c["name"] for c in aggregate.tool_calls] == ["lookup_weather"]
    assert aggregate.usage_metadata is not None


def test_sync_invoke_and_stream() -> None:
    model = make_model(seed=5)
    message = model.invoke("hello")
    assert message.usage_metadata is not None
    streamed = list(make_model(seed=5).stream("hello"))
    assert "".join(str(c.content) for c in streamed) == message.content
    assert streamed[-1].usage_metadata == message.usage_metadata


async def test_failure_rate_one_raises_provider_error() -> None:
    model = make_model(failure_rate=1.0)
    with pytest.raises(SimulatedProviderError) as excinfo:
        await model.ainvoke("hello")
    assert excinfo.value.status_code in {429, 500, 503}
    assert str(excinfo.value).startswith(f"Error code: {excinfo.value.status_code}")
    assert excinfo.value.response.status_code == excinfo.value.status_code
    with pytest.raises(SimulatedProviderError):
        async for _ in model.astream("hello"):
            pass


async def test_seed_makes_runs_reproducible() -> None:
    async def run(seed: int) -> list[AIMessage]:
        bound = make_model(seed=seed, failure_rate=0.0).bind_tools([lookup_weather])
        return [await bound.ainvoke(f"question {i}: weather in Rome?") for i in range(3)]

    first, second, other = await run(7), await run(7), await run(8)
    assert [m.tool_calls for m in first] == [m.tool_calls for m in second]
    assert [m.usage_metadata for m in first] == [m.usage_metadata for m in second]
    assert first[0].tool_calls[0]["id"] != other[0].tool_calls[0]["id"]
    replies = [await make_model(seed=1).ainvoke("hi there") for _ in range(2)]
    assert replies[0].content == replies[1].content


async def test_async_latency_does_not_block_the_event_loop() -> None:
    model = make_model(latency_ms=100.0, latency_sigma=0.0)
    started = time.perf_counter()
    await asyncio.gather(*(model.ainvoke(f"q{i}") for i in range(5)))
    elapsed = time.perf_counter() - started
    assert 0.09 <= elapsed < 0.35  # five 100 ms calls overlap instead of taking 500 ms


async def test_fixed_reply_and_stop_sequences() -> None:
    model = make_model(reply="alpha STOP beta")
    assert (await model.ainvoke("x")).content == "alpha STOP beta"
    assert (await model.ainvoke("x", stop=["STOP"])).content == "alpha "


def test_rates_are_validated() -> None:
    with pytest.raises(ValidationError):
        make_model(failure_rate=1.5)
    with pytest.raises(ValidationError):
        make_model(reasoning_ratio=1.0)
