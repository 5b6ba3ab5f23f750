"""The demo workload: a simulated chat model and three agents built on it (see agents.toml)."""

from services.demo.agents import (
    DEMO_AGENTS,
    calculator,
    get_order_status,
    research_agent,
    search_docs,
    summarizer,
    support_bot,
)
from services.demo.simulated_chat_model import SimulatedChatModel, SimulatedProviderError

__all__ = [
    "DEMO_AGENTS",
    "SimulatedChatModel",
    "SimulatedProviderError",
    "calculator",
    "get_order_status",
    "research_agent",
    "search_docs",
    "summarizer",
    "support_bot",
]
