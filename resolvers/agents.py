"""Resolvers for agents."""

from typing import Any

import strawberry

from graph.context import Context
from graph.types.agent import Agent


async def agents(info: strawberry.Info[Context, Any]) -> list[Agent]:
    return [Agent.from_config(c) for c in await info.context.platform.registry.all()]
