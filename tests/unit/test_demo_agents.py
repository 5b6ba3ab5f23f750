"""Built-in demo agents: end-to-end runs, output shapes, tool use and multi-model calls."""

from typing import Any

import pytest
from genai_prices import Usage, calc_price
from langchain_core.runnables import Runnable

from services.demo import (
    DEMO_AGENTS,
    SimulatedProviderError,
    calculator,
    get_order_status,
    research_agent,
    search_docs,
    summarizer,
    support_bot,
)
from services.demo import agents as demo_agents
from tests.support.callbacks import Recorder

FAST: dict[str, Any] = {"failure_rate": 0.0, "latency_ms": 5.0}


def test_factories_build_with_no_arguments() -> None:
    assert set(DEMO_AGENTS) == {"support_bot", "research_agent", "summarizer"}
    for factory in DEMO_AGENTS.values():
        assert isinstance(factory(), Runnable)


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        (demo_agents.SUPPORT_MODEL, demo_agents.SUPPORT_PROVIDER),
        (demo_agents.RESEARCH_MODEL, demo_agents.RESEARCH_PROVIDER),
        (demo_agents.SUMMARY_DRAFT_MODEL, demo_agents.SUMMARY_DRAFT_PROVIDER),
        (demo_agents.SUMMARY_REFINE_MODEL, demo_agents.SUMMARY_REFINE_PROVIDER),
    ],
)
def test_demo_models_are_priced_by_genai_prices(model: str, provider: str) -> None:
    price = calc_price(Usage(input_tokens=1000, output_tokens=100), model, provider_id=provider)
    assert price.total_price > 0


async def test_support_bot_answers_with_one_cached_gpt_call() -> None:
    recorder = Recorder()
    answer = await support_bot(**FAST).ainvoke(
        {"question": "How do I reset my password?"}, config={"callbacks": [recorder]}
    )
    assert isinstance(answer, str)
    assert "reset my password" in answer
    assert [m["ls_model_name"] for m in recorder.model_starts] == ["gpt-4o-mini"]
    assert recorder.model_starts[0]["ls_provider"] == "openai"
    message = getattr(recorder.model_ends[0].generations[0][0], "message", None)
    usage = getattr(message, "usage_metadata", None)
    assert usage is not None
    assert 0 < usage["input_token_details"]["cache_read"] <= usage["input_tokens"]


async def test_support_bot_propagates_provider_failures() -> None:
    with pytest.raises(SimulatedProviderError):
        await support_bot(failure_rate=1.0, latency_ms=1.0).ainvoke({"question": "hi"})


async def test_research_agent_uses_calculator_and_reports_steps() -> None:
    recorder = Recorder()
    result = await research_agent(**FAST).ainvoke(
        {"question": "What is (12 + 30) * 2?"}, config={"callbacks": [recorder]}
    )
    assert set(result) == {"answer", "steps"}
    assert isinstance(result["answer"], str)
    assert "(12 + 30) * 2 = 84" in result["answer"]
    assert result["steps"] == len(recorder.model_starts)
    assert len(recorder.model_starts) >= 2
    assert recorder.tools == ["calculator"]
    assert {m["ls_model_name"] for m in recorder.model_starts} == {"claude-sonnet-4-20250514"}


async def test_research_agent_looks_up_orders_and_docs() -> None:
    agent = research_agent(**FAST)
    recorder = Recorder()
    order = await agent.ainvoke(
        {"question": "What's the status of order ORD-1042?"}, config={"callbacks": [recorder]}
    )
    assert "Order ORD-1042:" in order["answer"]
    docs = await agent.ainvoke(
        {"question": "How do I get a refund?"}, config={"callbacks": [recorder]}
    )
    assert "30 days" in docs["answer"]
    assert recorder.tools == ["get_order_status", "search_docs"]


async def test_research_agent_stops_at_iteration_limit() -> None:
    result = await research_agent(**FAST, max_iterations=1).ainvoke({"question": "What is 2 + 2?"})
    assert result["steps"] == 1
    assert result["answer"].startswith("Stopped")


async def test_summarizer_calls_two_different_models() -> None:
    recorder = Recorder()
    text = (
        "AgentWatch records every agent run. It tracks latency, errors and token cost. "
        "Alerts fire when error rates spike."
    )
    result = await summarizer(**FAST).ainvoke({"text": text}, config={"callbacks": [recorder]})
    assert set(result) == {"summary"}
    assert result["summary"].startswith("AgentWatch records every agent run.")
    names = [m["ls_model_name"] for m in recorder.model_starts]
    assert names == ["gemini-2.0-flash", "gpt-4.1-mini"]
    assert [m["ls_provider"] for m in recorder.model_starts] == ["google", "openai"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("(12 + 30) * 2", "(12 + 30) * 2 = 84"), ("7 / 2", "7 / 2 = 3.5"), ("-3 + 4.5*2", "= 6")],
)
def test_calculator_evaluates_arithmetic(expression: str, expected: str) -> None:
    assert expected in calculator.invoke({"expression": expression})


@pytest.mark.parametrize("expression", ["__import__('os').getcwd()", "2 ** 8", "1 / 0", "x + 1"])
def test_calculator_rejects_unsafe_or_invalid_input(expression: str) -> None:
    assert calculator.invoke({"expression": expression}).startswith("Error:")


def test_canned_tools_are_deterministic() -> None:
    assert get_order_status.invoke({"order_id": "A-1"}) == get_order_status.invoke(
        {"order_id": "A-1"}
    )
    assert "429" in search_docs.invoke({"query": "api rate limits"})
    assert search_docs.invoke({"query": "zebra"}) == "No matching documentation found."
