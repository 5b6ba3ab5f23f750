"""Rate limits of agents and their live status."""

import strawberry

from services.rate_limit import RateLimitPolicy, RateLimitStatus


@strawberry.type(description="An agent's rate limit, with the documented defaults filled in.")
class RateLimit:
    requests: int = strawberry.field(description="Runs allowed per `perSeconds`.")
    per_seconds: float = strawberry.field(description="The period, in seconds.")
    burst: int = strawberry.field(description="Runs that may start at once (default: requests).")
    max_concurrent: int | None = strawberry.field(
        description="Runs in flight at most; null = no cap."
    )
    max_queue_ms: int = strawberry.field(description="Longest wait in the queue (default 10 000).")
    max_queue_length: int = strawberry.field(description="Calls waiting at most (default 100).")

    @classmethod
    def from_policy(cls, policy: RateLimitPolicy | None) -> "RateLimit | None":
        if policy is None:
            return None
        p = policy.resolved()
        return cls(
            requests=p.requests,
            per_seconds=p.per_seconds,
            burst=p.burst,
            max_concurrent=p.max_concurrent,
            max_queue_ms=p.max_queue_ms,
            max_queue_length=p.max_queue_length,
        )


@strawberry.input(description="A rate limit; `requests` and `perSeconds` are required.")
class RateLimitInput:
    requests: int = strawberry.field(description=">= 1 runs per period.")
    per_seconds: float = strawberry.field(description="Period in seconds, (0, 86400].")
    burst: int | None = strawberry.field(default=None, description="Default: requests.")
    max_concurrent: int | None = strawberry.field(default=None, description="Default: no cap.")
    max_queue_ms: int | None = strawberry.field(default=None, description="Default 10 000.")
    max_queue_length: int | None = strawberry.field(default=None, description="Default 100.")

    def to_policy(self) -> RateLimitPolicy:
        return RateLimitPolicy(
            self.requests,
            self.per_seconds,
            self.burst,
            self.max_concurrent,
            self.max_queue_ms,
            self.max_queue_length,
        )


@strawberry.type(name="RateLimitStatus", description="What an agent's limiter knows right now.")
class RateLimitStatusType:
    agent: str = strawberry.field(description="The agent.")
    limit: RateLimit | None = strawberry.field(description="Its limit; null = unlimited.")
    available: int | None = strawberry.field(description="Runs that could start now.")
    queued: int = strawberry.field(description="Calls waiting for their turn.")
    in_flight: int = strawberry.field(description="Runs holding a slot.")
    rejected_last_hour: int = strawberry.field(description="Calls refused in the last hour.")

    @classmethod
    def from_status(cls, agent: str, s: RateLimitStatus) -> "RateLimitStatusType":
        return cls(
            agent=agent,
            limit=RateLimit.from_policy(s.limit),
            available=s.available,
            queued=s.queued,
            in_flight=s.in_flight,
            rejected_last_hour=s.rejected_last_hour,
        )
