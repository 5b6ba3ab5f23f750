"""Resolvers for agents: list, live settings changes, rate-limit status."""

from typing import Any

import strawberry
from strawberry.types.unset import UnsetType

from graph.context import Context
from graph.types.agent import Agent, AgentUpdateInput
from graph.types.rate_limit import RateLimitStatusType
from services.agents import UNCHANGED, AgentUpdate
from services.errors import AgentNotFound
from services.money import usd_input
from services.validation import agent_name

Info = strawberry.Info[Context, Any]


async def agents(info: Info) -> list[Agent]:
    return [Agent.from_record(c) for c in await info.context.platform.registry.all()]


def _given(value: Any) -> bool:
    return not isinstance(value, UnsetType)


async def update_agent(info: Info, name: str, input: AgentUpdateInput) -> Agent:
    agent_name(name)
    budgets = {
        field: (
            UNCHANGED if not _given(value) else None if value is None else usd_input(value, label)
        )
        for field, value, label in (
            ("daily_budget_usd", input.daily_budget_usd, "dailyBudgetUsd"),
            ("monthly_budget_usd", input.monthly_budget_usd, "monthlyBudgetUsd"),
        )
    }
    rate_limit: Any = UNCHANGED
    if _given(input.rate_limit):
        rate_limit = None if input.rate_limit is None else input.rate_limit.to_policy()
    update = AgentUpdate(
        enabled=UNCHANGED if input.enabled is None else input.enabled,
        description=UNCHANGED if input.description is None else input.description,
        timeout_seconds=UNCHANGED if input.timeout_seconds is None else input.timeout_seconds,
        rate_limit=rate_limit,
        **budgets,
    )
    return Agent.from_record(await info.context.platform.update_agent(name, update))


async def rate_limit_status(info: Info, agent: str) -> RateLimitStatusType:
    platform = info.context.platform
    if not platform.registry.is_known(agent_name(agent)):
        raise AgentNotFound(f"no agent named {agent!r}", agent=agent)
    return RateLimitStatusType.from_status(agent, await platform.limiter.status(agent))
