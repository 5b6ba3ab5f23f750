"""Errors of the rate limiters, each with a stable `code` for GraphQL's `extensions.code`."""

import math
from typing import Any, Literal

from services.errors import AgentWatchError

Reason = Literal["RATE", "QUEUE_FULL", "CONCURRENCY", "INGESTION"]


def retry_after_ms(seconds: float) -> int:
    """Seconds until a slot frees, as whole milliseconds rounded up and at least 1."""
    # The slack keeps float noise (12.000000000001 s) from turning into 12001 ms.
    return max(1, math.ceil(seconds * 1000 - 1e-6))


class RateLimited(AgentWatchError):
    """The call was refused at once; `retryAfterMs` is the predicted wait for a free slot."""

    code = "RATE_LIMITED"

    def __init__(
        self, message: str, *, retry_after_ms: int, reason: Reason, **extensions: Any
    ) -> None:
        super().__init__(message, retryAfterMs=retry_after_ms, reason=reason, **extensions)
        self.retry_after_ms = retry_after_ms
        self.reason = reason

    @classmethod
    def for_agent(cls, agent: str, wait_seconds: float, reason: Reason) -> "RateLimited":
        """A refusal for `agent` whose next slot is `wait_seconds` away (or an estimate)."""
        ms = retry_after_ms(wait_seconds)
        why = {
            "RATE": "its next slot is further away than the queue allows",
            "QUEUE_FULL": "its queue of waiting calls is full",
            "CONCURRENCY": "no concurrency slot freed within the queue time",
            "INGESTION": "too many calls",
        }[reason]
        return cls(
            f"agent {agent!r} is rate limited: {why}; retry in {ms} ms",
            retry_after_ms=ms,
            reason=reason,
            agent=agent,
        )


class RateLimiterUnavailable(AgentWatchError):
    """The shared limiter's store (Redis) cannot be reached and the limiter fails closed."""

    code = "RATE_LIMITER_UNAVAILABLE"
