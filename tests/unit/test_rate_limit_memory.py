"""The rate limiter contract every backend must meet, run here on `MemoryRateLimiter`.

`RateLimiterContract` lives in tests/support/rate_limit_contract.py (Redis runs it too). Time is
a `FakeClock` that also drives the limiters' timers, so nothing sleeps for the waits under test.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.clock import SystemClock
from services.errors import BadUserInput
from services.rate_limit import (
    MemoryRateLimiter,
    RateLimiter,
    RateLimitPolicy,
)
from tests.support.clock import FakeClock
from tests.support.rate_limit_contract import (
    AGENT,
    Calls,
    RateLimiterContract,
)


class TestMemoryRateLimiter(RateLimiterContract):
    @pytest.fixture
    async def limiter(self, clock: FakeClock) -> AsyncIterator[RateLimiter]:
        limiter = MemoryRateLimiter(clock, timers=clock)
        try:
            yield limiter
        finally:
            await limiter.close()

    async def test_later_waiters_move_up_when_one_leaves(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 1, max_queue_ms=10_000))
        await calls.run("a")
        await calls.queue("b", "c", "d")  # slots at 1, 2 and 3 s
        await calls.cancel("c")  # d moves up to 2 s
        for expected in (["a", "b"], ["a", "b", "d"]):
            clock.advance(1)
            await self.settle()
            assert calls.started == expected
        await calls.queue("e")  # the next free slot is 3 s, not 4 s
        clock.advance(1)
        await self.settle()
        assert calls.started == ["a", "b", "d", "e"] and clock.pending_timers == 0


async def test_waits_on_the_real_clock() -> None:
    limiter = MemoryRateLimiter(SystemClock())
    await limiter.configure(AGENT, RateLimitPolicy(10, 1, burst=1))  # one call every 100 ms
    try:
        began = time.monotonic()
        permits = await asyncio.gather(*(limiter.acquire(AGENT) for _ in range(3)))
        assert 0.18 < time.monotonic() - began < 1
        waits = sorted(permit.waited_seconds for permit in permits)
        assert waits[0] < 0.05 and 0.09 < waits[1] < 0.5 and 0.19 < waits[2] < 0.6
    finally:
        await limiter.close()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"requests": 0, "per_seconds": 1}, "rateLimit.requests"),
        ({"requests": 1, "per_seconds": 0}, "rateLimit.perSeconds"),
        ({"requests": 1, "per_seconds": float("nan")}, "rateLimit.perSeconds"),
        ({"requests": 1, "per_seconds": 86_400.5}, "rateLimit.perSeconds"),
        ({"requests": 1, "per_seconds": 1, "burst": 0}, "rateLimit.burst"),
        ({"requests": 1, "per_seconds": 1, "max_concurrent": 0}, "rateLimit.maxConcurrent"),
        ({"requests": 1, "per_seconds": 1, "max_queue_ms": -1}, "rateLimit.maxQueueMs"),
        ({"requests": 1, "per_seconds": 1, "max_queue_ms": 600_001}, "rateLimit.maxQueueMs"),
        ({"requests": 1, "per_seconds": 1, "max_queue_length": -1}, "rateLimit.maxQueueLength"),
        ({"requests": 1, "per_seconds": 1, "max_queue_length": 10_001}, "rateLimit.maxQueueLength"),
    ],
)
def test_invalid_policy_names_its_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(BadUserInput) as error:
        RateLimitPolicy(**kwargs)
    assert error.value.message.startswith(field) and error.value.extensions["field"] == field


def test_policy_defaults_and_bounds() -> None:
    resolved = RateLimitPolicy(5, 60).resolved()
    assert (resolved.burst, resolved.max_concurrent) == (5, None)
    assert (resolved.max_queue_ms, resolved.max_queue_length) == (10_000, 100)
    assert (resolved.interval, resolved.tolerance) == (12.0, 48.0)
    edge = RateLimitPolicy(1, 86_400, burst=1, max_queue_ms=0, max_queue_length=0).resolved()
    assert edge.max_queue_ms == 0 and edge.max_queue_length == 0
    assert RateLimitPolicy(1, 1, max_queue_ms=600_000, max_queue_length=10_000)
