"""Built-in demo agents that generate realistic traffic for AgentWatch without any API key.

Each factory returns a fresh `Runnable` built from langchain-core pieces around
`SimulatedChatModel`, so traces look like real provider calls (priced model names, latency,
failures, token usage, tool calls). Every factory works with no arguments; keyword overrides
(`failure_rate`, `latency_ms`, `seed`) exist for tests and load experiments. Run them with
`ainvoke`: the research agent is async-only.
"""

from __future__ import annotations

import ast
import operator
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda, RunnablePassthrough
from langchain_core.tools import BaseTool, tool

from services.demo.simulated_chat_model import SimulatedChatModel

# Behaviour of each demo's model(s). All model names are priced by genai-prices.
SUPPORT_MODEL, SUPPORT_PROVIDER = "gpt-4o-mini", "openai"
SUPPORT_LATENCY_MS = 600.0
SUPPORT_FAILURE_RATE = 0.03
SUPPORT_CACHE_HIT_RATE = 0.7  # the long system prompt is a stable, cacheable prefix

RESEARCH_MODEL, RESEARCH_PROVIDER = "claude-sonnet-4-20250514", "anthropic"
RESEARCH_LATENCY_MS = 1200.0
RESEARCH_FAILURE_RATE = 0.04
RESEARCH_CACHE_HIT_RATE = 0.3
RESEARCH_MAX_ITERATIONS = 4

SUMMARY_DRAFT_MODEL, SUMMARY_DRAFT_PROVIDER = "gemini-2.0-flash", "google"
SUMMARY_DRAFT_LATENCY_MS = 450.0
SUMMARY_REFINE_MODEL, SUMMARY_REFINE_PROVIDER = "gpt-4.1-mini", "openai"
SUMMARY_REFINE_LATENCY_MS = 900.0
SUMMARY_FAILURE_RATE = 0.02

SUPPORT_SYSTEM_PROMPT = (
    "You are the Acme Cloud customer support assistant. Be concise, friendly and accurate. "
    "Policies: refunds are available within 30 days of purchase; orders ship within 2 "
    "business days; password resets are done from Settings > Security; API rate limits are "
    "600 requests per minute on the Pro plan and 60 on the Free plan. Never invent order "
    "details; escalate billing disputes to a human agent."
)
RESEARCH_SYSTEM_PROMPT = (
    "You are a research assistant for Acme Cloud. Use the tools to look up documentation, "
    "order status and arithmetic, then answer from the tool results."
)

# Canned knowledge base for `search_docs`: topic keywords -> passage.
_DOCS: dict[frozenset[str], str] = {
    frozenset({"refund", "refunds", "return", "money"}): (
        "Refunds: purchases can be refunded within 30 days from Billing > Invoices."
    ),
    frozenset({"password", "reset", "login", "account", "security"}): (
        "Password reset: open Settings > Security and choose 'Reset password'."
    ),
    frozenset({"rate", "limit", "limits", "api", "quota", "429"}): (
        "API rate limits: 600 requests/minute on Pro, 60 on Free; excess calls get HTTP 429."
    ),
    frozenset({"shipping", "ship", "delivery", "order", "orders"}): (
        "Shipping: orders ship within 2 business days; tracking appears under Orders."
    ),
    frozenset({"price", "pricing", "plan", "plans", "billing", "cost"}): (
        "Pricing: Free ($0), Pro ($29/month) and Enterprise (custom) plans."
    ),
}
_ORDER_STATUSES = ("processing", "shipped", "out for delivery", "delivered")
_BINARY_OPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@tool
def search_docs(query: str) -> str:
    """Search the Acme Cloud documentation (account, password reset, billing, pricing, refunds,
    shipping, API rate limits) and return the most relevant passages."""
    words = set(query.lower().replace("?", " ").split())
    ranked = sorted(_DOCS.items(), key=lambda item: len(item[0] & words), reverse=True)
    hits = [text for keys, text in ranked if keys & words][:2]
    return "\n".join(hits) if hits else "No matching documentation found."


@tool
def calculator(expression: str) -> str:
    """Calculate the result of an arithmetic expression using + - * / and parentheses."""
    try:
        value = _evaluate(ast.parse(expression, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError) as exc:
        # Report instead of raising so the agent can recover, as with a real tool error.
        return f"Error: cannot evaluate {expression!r}: {exc}"
    shown = str(int(value)) if value.is_integer() else f"{value:.10g}"
    return f"{expression} = {shown}"


@tool
def get_order_status(order_id: str) -> str:
    """Look up the shipping status of a customer order by its order id."""
    # crc32 (not hash()) so the same id gets the same status in every process.
    digest = zlib.crc32(order_id.encode())
    status = _ORDER_STATUSES[digest % len(_ORDER_STATUSES)]
    return f"Order {order_id}: {status}, last updated {1 + digest % 48} hours ago."


def _evaluate(node: ast.AST) -> float:
    """Evaluate a parsed arithmetic expression; only numbers, + - * / and unary +/- allowed."""
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    value = node.value if isinstance(node, ast.Constant) else None
    if isinstance(value, int | float) and not isinstance(value, bool):  # bool is an int
        return float(value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _evaluate(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPS:
        return _BINARY_OPS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise ValueError(f"unsupported element {type(node).__name__}")


RESEARCH_TOOLS: tuple[BaseTool, ...] = (search_docs, calculator, get_order_status)


def support_bot(
    *,
    failure_rate: float = SUPPORT_FAILURE_RATE,
    latency_ms: float = SUPPORT_LATENCY_MS,
    seed: int | None = None,
) -> Runnable[dict[str, Any], str]:
    """Prompt | gpt-4o-mini | parser. Input `{"question": str}`; output the answer `str`."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", SUPPORT_SYSTEM_PROMPT), ("human", "{question}")]
    )
    model = SimulatedChatModel(
        model_name=SUPPORT_MODEL,
        provider=SUPPORT_PROVIDER,
        latency_ms=latency_ms,
        failure_rate=failure_rate,
        cache_hit_rate=SUPPORT_CACHE_HIT_RATE,
        seed=seed,
    )
    chain: Runnable[dict[str, Any], str] = prompt | model | StrOutputParser()
    return chain.with_config(run_name="support_bot")


def research_agent(
    *,
    failure_rate: float = RESEARCH_FAILURE_RATE,
    latency_ms: float = RESEARCH_LATENCY_MS,
    seed: int | None = None,
    max_iterations: int = RESEARCH_MAX_ITERATIONS,
) -> Runnable[dict[str, Any], dict[str, Any]]:
    """Tool-calling loop on Claude Sonnet 4; async-only.

    Input `{"question": str}`; output `{"answer": str, "steps": int}` where `steps` counts model
    calls. Stops after `max_iterations` model calls even if the model still wants tools.
    """
    model = SimulatedChatModel(
        model_name=RESEARCH_MODEL,
        provider=RESEARCH_PROVIDER,
        latency_ms=latency_ms,
        failure_rate=failure_rate,
        cache_hit_rate=RESEARCH_CACHE_HIT_RATE,
        seed=seed,
    )
    bound = model.bind_tools(list(RESEARCH_TOOLS))
    tools_by_name = {t.name: t for t in RESEARCH_TOOLS}

    async def run(inputs: dict[str, Any], config: RunnableConfig) -> dict[str, Any]:
        # Passing `config` through keeps model and tool runs nested under this agent's run.
        messages: list[BaseMessage] = [
            SystemMessage(RESEARCH_SYSTEM_PROMPT),
            HumanMessage(str(inputs["question"])),
        ]
        response = AIMessage(content="")
        for step in range(1, max_iterations + 1):
            response = await bound.ainvoke(messages, config)
            messages.append(response)
            if not response.tool_calls:
                return {"answer": str(response.text), "steps": step}
            for call in response.tool_calls:
                messages.append(await _run_tool(tools_by_name, call["name"], call, config))
        answer = str(response.text) or "Stopped: iteration limit reached before a final answer."
        return {"answer": answer, "steps": max_iterations}

    return RunnableLambda(run, name="research_agent")


async def _run_tool(
    tools: Mapping[str, BaseTool], name: str, call: Any, config: RunnableConfig
) -> ToolMessage:
    """Run one tool call; an unknown tool becomes an error ToolMessage, as agent runtimes do."""
    if name not in tools:
        return ToolMessage(f"Error: unknown tool {name!r}", tool_call_id=call["id"], status="error")
    result = await tools[name].ainvoke(call, config)
    if not isinstance(result, ToolMessage):  # defensive: ToolCall input always yields one
        result = ToolMessage(str(result), tool_call_id=call["id"], name=name)
    return result


def summarizer(
    *,
    failure_rate: float = SUMMARY_FAILURE_RATE,
    latency_ms: float | None = None,
    seed: int | None = None,
) -> Runnable[dict[str, Any], dict[str, str]]:
    """Draft with gemini-2.0-flash, refine with gpt-4.1-mini (two priced models in one run).

    Input `{"text": str}`; output `{"summary": str}`. `latency_ms`, when given, replaces both
    models' default medians.
    """
    draft_model = SimulatedChatModel(
        model_name=SUMMARY_DRAFT_MODEL,
        provider=SUMMARY_DRAFT_PROVIDER,
        latency_ms=SUMMARY_DRAFT_LATENCY_MS if latency_ms is None else latency_ms,
        failure_rate=failure_rate,
        seed=seed,
    )
    refine_model = SimulatedChatModel(
        model_name=SUMMARY_REFINE_MODEL,
        provider=SUMMARY_REFINE_PROVIDER,
        latency_ms=SUMMARY_REFINE_LATENCY_MS if latency_ms is None else latency_ms,
        failure_rate=failure_rate,
        # Offset the seed so the two stages don't draw identical latencies/failures.
        seed=None if seed is None else seed + 1,
    )
    draft_prompt = ChatPromptTemplate.from_messages(
        [
            ("system", "Write a quick, rough summary of the user's text in 2-3 sentences."),
            ("human", "{text}"),
        ]
    )
    refine_prompt = ChatPromptTemplate.from_messages(
        [
            # The draft is the user turn; the source text rides in the (cacheable) system turn.
            ("system", "Polish the user's draft summary; stay faithful to this text:\n{text}"),
            ("human", "{draft}"),
        ]
    )
    draft = draft_prompt | draft_model | StrOutputParser()
    refine = refine_prompt | refine_model | StrOutputParser()
    chain: Runnable[dict[str, Any], dict[str, str]] = (
        RunnablePassthrough.assign(draft=draft)
        | refine
        | RunnableLambda(_as_summary, name="as_summary")
    )
    return chain.with_config(run_name="summarizer")


def _as_summary(summary: str) -> dict[str, str]:
    # str(): StrOutputParser yields LangChain's TextAccessor str subclass; emit a plain str.
    return {"summary": str(summary)}


# Name -> factory, for registries and traffic generators; every factory works with no arguments.
DEMO_AGENTS: Mapping[str, Callable[..., Runnable[dict[str, Any], Any]]] = {
    "support_bot": support_bot,
    "research_agent": research_agent,
    "summarizer": summarizer,
}
