"""Changing an agent's settings at run time (`updateAgent`), and rate limits as stored JSON."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.errors import BadUserInput
from services.rate_limit import RateLimitPolicy

UNCHANGED: Any = object()  # marks a field the caller did not send (None means "clear it")
_JSON_KEYS = {
    "requests": "requests",
    "perSeconds": "per_seconds",
    "burst": "burst",
    "maxConcurrent": "max_concurrent",
    "maxQueueMs": "max_queue_ms",
    "maxQueueLength": "max_queue_length",
}
MAX_TIMEOUT_SECONDS = 3600.0


@dataclass(frozen=True)
class AgentUpdate:
    """Each field is UNCHANGED unless given; None clears budgets and the rate limit."""

    enabled: bool = UNCHANGED
    description: str = UNCHANGED
    timeout_seconds: float = UNCHANGED
    daily_budget_usd: Decimal | None = UNCHANGED
    monthly_budget_usd: Decimal | None = UNCHANGED
    rate_limit: RateLimitPolicy | None = UNCHANGED

    def validate(self) -> "AgentUpdate":
        if self.description is not UNCHANGED and len(self.description) > 2000:
            raise BadUserInput("description is longer than 2000 characters", field="description")
        if self.timeout_seconds is not UNCHANGED and not (
            0 < self.timeout_seconds <= MAX_TIMEOUT_SECONDS
        ):
            raise BadUserInput(
                f"timeoutSeconds must be in (0, {MAX_TIMEOUT_SECONDS:g}]", field="timeoutSeconds"
            )
        return self

    def columns(self) -> dict[str, Any]:
        """The `agent` table columns this update sets."""
        values = {
            "enabled": self.enabled,
            "description": self.description,
            "timeout_seconds": self.timeout_seconds,
            "daily_budget_usd": self.daily_budget_usd,
            "monthly_budget_usd": self.monthly_budget_usd,
            "rate_limit": UNCHANGED
            if self.rate_limit is UNCHANGED
            else policy_to_json(self.rate_limit),
        }
        return {k: v for k, v in values.items() if v is not UNCHANGED}


def policy_to_json(policy: RateLimitPolicy | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    return {
        key: getattr(policy, attr)
        for key, attr in _JSON_KEYS.items()
        if getattr(policy, attr) is not None
    }


def policy_from_json(data: dict[str, Any] | None) -> RateLimitPolicy | None:
    if not data:
        return None
    return RateLimitPolicy(**{attr: data[key] for key, attr in _JSON_KEYS.items() if key in data})


def policy_from_toml(data: Any, where: str) -> RateLimitPolicy:
    """`[agents.<name>.rate_limit]` with snake_case keys; raises ValueError with `where`."""
    if not isinstance(data, dict) or set(data) - set(_JSON_KEYS.values()):
        raise ValueError(f"{where}: rate_limit takes {sorted(_JSON_KEYS.values())}")
    try:
        return RateLimitPolicy(**data)
    except (BadUserInput, TypeError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
