"""`AgentRecord`: what the API and the rest of the platform see of a stored agent."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.agents.update import policy_from_json
from services.rate_limit import RateLimitPolicy


@dataclass(frozen=True)
class AgentRecord:
    """One agent known to AgentWatch; `source` is "configured" (agents file) or "external"."""

    name: str
    description: str
    model: str | None
    enabled: bool
    source: str
    timeout_seconds: float
    metadata: dict[str, Any]
    daily_budget_usd: Decimal | None
    monthly_budget_usd: Decimal | None
    rate_limit: RateLimitPolicy | None


def agent_from_row(row: Mapping[Any, Any]) -> AgentRecord:
    """Build the record from an `agent` table row (the JSON rate limit parsed into a policy)."""
    return AgentRecord(
        name=row["name"],
        description=row["description"],
        model=row["model"],
        enabled=bool(row["enabled"]),
        source=row["source"],
        timeout_seconds=float(row["timeout_seconds"]),
        metadata=dict(row["metadata"] or {}),
        daily_budget_usd=row["daily_budget_usd"],
        monthly_budget_usd=row["monthly_budget_usd"],
        rate_limit=policy_from_json(row["rate_limit"]),
    )
