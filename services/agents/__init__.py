"""Agents: the registry of runnable agents, the agents file loader and partial updates."""

from services.agents.agents_file import (
    AgentConfigError,
    load_runnable,
    parse_agents_file,
    parse_overall_budget,
)
from services.agents.record import AgentRecord
from services.agents.registry import AgentRegistry, RegisteredAgent
from services.agents.update import UNCHANGED, AgentUpdate, policy_from_json

__all__ = [
    "UNCHANGED",
    "AgentConfigError",
    "AgentRecord",
    "AgentRegistry",
    "AgentUpdate",
    "RegisteredAgent",
    "load_runnable",
    "parse_agents_file",
    "parse_overall_budget",
    "policy_from_json",
]
