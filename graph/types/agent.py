"""Agent: a configured (executable) or external (reporting-only) agent."""

from typing import Any

import strawberry
from strawberry.scalars import JSON

from models import AgentConfig


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

    @classmethod
    def from_config(cls, config: AgentConfig) -> "Agent":
        metadata: Any = config.agent_metadata
        return cls(
            name=config.name, description=config.description, model=config.model,
            enabled=config.enabled, source=config.source,
            timeout_seconds=config.timeout_seconds, metadata=metadata,
        )  # fmt: skip
