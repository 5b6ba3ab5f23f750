"""Agent: a configured (executable) or external (reporting-only) agent."""

from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph.types.cost import usd
from graph.types.rate_limit import RateLimit, RateLimitInput
from services.agents import AgentRecord


@strawberry.type(description="An agent known to AgentWatch.")
class Agent:
    name: str = strawberry.field(description="Unique agent name.")
    description: str = strawberry.field(description="What the agent does.")
    model: str | None = strawberry.field(description="Model the agent is configured with.")
    enabled: bool = strawberry.field(description="Disabled agents refuse runAgent.")
    source: str = strawberry.field(
        description="`configured` (agents file, executable here) or `external` (recordRun only)."
    )
    timeout_seconds: float = strawberry.field(description="runAgent gives up after this long.")
    metadata: JSON = strawberry.field(description="Free-form metadata from the agents file.")
    daily_budget_usd: float | None = strawberry.field(description="Daily USD budget, if any.")
    monthly_budget_usd: float | None = strawberry.field(description="Monthly budget, if any.")
    rate_limit: RateLimit | None = strawberry.field(description="Rate limit; null = unlimited.")

    @classmethod
    def from_record(cls, config: AgentRecord) -> "Agent":
        metadata: Any = config.metadata  # Strawberry's JSON scalar is typed as a NewType
        return cls(
            name=config.name,
            description=config.description,
            model=config.model,
            enabled=config.enabled,
            source=config.source,
            timeout_seconds=config.timeout_seconds,
            metadata=metadata,
            daily_budget_usd=usd(config.daily_budget_usd),
            monthly_budget_usd=usd(config.monthly_budget_usd),
            rate_limit=RateLimit.from_policy(config.rate_limit),
        )


@strawberry.input(description="Changes to an agent; omitted fields stay as they are.")
class AgentUpdateInput:
    enabled: bool | None = strawberry.field(default=None, description="Enable or disable.")
    description: str | None = strawberry.field(default=None, description="New description.")
    timeout_seconds: float | None = strawberry.field(default=None, description="(0, 3600].")
    daily_budget_usd: float | None = strawberry.field(
        default=strawberry.UNSET, description="Daily USD budget; null removes it."
    )
    monthly_budget_usd: float | None = strawberry.field(
        default=strawberry.UNSET, description="Monthly USD budget; null removes it."
    )
    rate_limit: RateLimitInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="New limit (its limiter starts afresh); null removes it (unlimited).",
    )
