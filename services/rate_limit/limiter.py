"""The interface every rate limiter backend implements, and the values it hands out."""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType

from services.rate_limit.policy import RateLimitPolicy


@dataclass(frozen=True, slots=True)
class RateLimitStatus:
    """What the limiter knows about one agent right now.

    `available` is None when the agent is unlimited; `rejected_last_hour` is exact to the
    second over a sliding hour; `rejected_total` counts since the limiter (or, with Redis,
    the shared counter) started.
    """

    limit: RateLimitPolicy | None
    available: int | None
    queued: int
    in_flight: int
    rejected_last_hour: int
    rejected_total: int = 0


class Permit:
    """The right to run one call of `agent` now; `release()` it when the run ends.

    Releasing twice is harmless. Use it as `async with await limiter.acquire(agent):` or,
    simpler, `async with limiter.slot(agent):`.
    """

    def __init__(
        self,
        agent: str,
        waited_seconds: float,
        release: Callable[[], Awaitable[None]],
        queued: bool = False,
    ) -> None:
        self.agent = agent
        self.waited_seconds = waited_seconds
        # True when the caller had to wait its turn (rate or concurrency), not merely a round
        # trip to the backend.
        self.queued = queued
        self._release: Callable[[], Awaitable[None]] | None = release

    @property
    def released(self) -> bool:
        return self._release is None

    async def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            await release()

    async def __aenter__(self) -> "Permit":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.release()


class RateLimiter(ABC):
    """Per-agent admission: GCRA rate with FIFO queuing, plus an optional concurrency cap.

    `acquire` returns at once, waits its turn (first come, first served), or raises
    `RateLimited` at once when its turn would come too late or the queue is full. A caller
    cancelled while queued gives its place back. Agents without a policy are unlimited.
    """

    @abstractmethod
    async def acquire(self, agent: str) -> Permit:
        """Wait for a permit to start one call of `agent`; raises `RateLimited`."""

    @abstractmethod
    async def configure(self, agent: str, policy: RateLimitPolicy | None) -> None:
        """Apply `policy` (None = unlimited) from the next call on, with a fresh full bucket.

        Callers already queued are re-evaluated under the new policy in their original order.
        Configuring the policy already in force changes nothing (no fresh burst).
        """

    @abstractmethod
    async def status(self, agent: str) -> RateLimitStatus:
        """Counters and the current limit of `agent`."""

    @abstractmethod
    async def close(self) -> None:
        """Refuse queued and future callers with `RateLimiterUnavailable`; free resources."""

    @asynccontextmanager
    async def slot(self, agent: str) -> AsyncIterator[Permit]:
        """`acquire` a permit for the block and release it however the block ends."""
        permit = await self.acquire(agent)
        try:
            yield permit
        finally:
            await permit.release()
