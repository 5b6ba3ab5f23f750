"""The rate limiter contract every backend must meet (memory and Redis subclass it)."""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

import pytest

from services.rate_limit import (
    Permit,
    RateLimited,
    RateLimiter,
    RateLimiterUnavailable,
    RateLimitPolicy,
)
from tests.support.clock import FakeClock

AGENT = "triage"
FIVE_PER_MINUTE = RateLimitPolicy(requests=5, per_seconds=60, burst=5)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait (real time) until `check()` holds: woken callers need loop turns or round trips."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.001)


class Calls:
    """`acquire` calls running as tasks: who started, in which order, and who was refused."""

    def __init__(self, limiter: RateLimiter, agent: str = AGENT) -> None:
        self.limiter = limiter
        self.agent = agent
        self.started: list[str] = []
        self.permits: dict[str, Permit] = {}
        self.errors: dict[str, Exception] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def spawn(self, *names: str) -> None:
        for name in names:
            self.tasks[name] = asyncio.create_task(self._run(name))

    async def _run(self, name: str) -> None:
        try:
            permit = await self.limiter.acquire(self.agent)
        except (RateLimited, RateLimiterUnavailable) as exc:
            self.errors[name] = exc
            return
        self.started.append(name)
        self.permits[name] = permit

    async def run(self, *names: str) -> None:
        """Start calls one after another, each only once the previous one has started."""
        for name in names:
            self.spawn(name)
            await eventually(partial(_started, self, len(self.started) + 1))

    async def queue(self, *names: str) -> None:
        """Start calls one after another, each only once the previous one is queued."""
        for name in names:
            queued = (await self.limiter.status(self.agent)).queued
            self.spawn(name)

            async def in_queue(expected: int = queued + 1) -> bool:
                return (await self.limiter.status(self.agent)).queued == expected

            await eventually(in_queue)

    def refused(self, name: str) -> RateLimited:
        error = self.errors[name]
        assert isinstance(error, RateLimited)
        return error

    async def release(self, name: str) -> None:
        await self.permits.pop(name).release()

    async def cancel(self, name: str) -> None:
        task = self.tasks[name]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        for permit in self.permits.values():
            await permit.release()


class RateLimiterContract:
    """Behaviour shared by every backend; a subclass provides the `limiter` fixture."""

    async def settle(self) -> None:
        """Give woken callers time to act, before asserting that something did not happen."""
        for _ in range(20):
            await asyncio.sleep(0)

    @pytest.fixture
    def clock(self) -> FakeClock:
        return FakeClock()

    @pytest.fixture
    async def calls(self, limiter: RateLimiter) -> AsyncIterator[Calls]:
        calls = Calls(limiter)
        try:
            yield calls
        finally:
            await calls.close()

    async def test_exactly_burst_of_twenty_simultaneous_calls_start(
        self, limiter: RateLimiter, clock: FakeClock
    ) -> None:
        await limiter.configure(AGENT, FIVE_PER_MINUTE)
        results = await asyncio.gather(
            *(limiter.acquire(AGENT) for _ in range(20)), return_exceptions=True
        )
        permits = [r for r in results if isinstance(r, Permit)]
        refused = [r for r in results if isinstance(r, RateLimited)]
        assert len(permits) == 5 and len(refused) == 15
        # The 6th slot is T = 12 s away, beyond the default 10 s queue: refused, not queued.
        assert {r.retry_after_ms for r in refused} == {12_000}
        assert {r.extensions["agent"] for r in refused} == {AGENT}
        assert refused[0].code == "RATE_LIMITED" and refused[0].reason == "RATE"
        status = await limiter.status(AGENT)
        assert (status.available, status.queued, status.in_flight) == (0, 0, 5)
        assert status.rejected_last_hour == status.rejected_total == 15
        for permit in permits:
            await permit.release()

    async def test_callers_over_the_burst_queue_while_their_wait_fits(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        policy = RateLimitPolicy(5, 60, burst=5, max_queue_ms=60_000)
        await limiter.configure(AGENT, policy)
        calls.spawn(*(f"c{i}" for i in range(20)))
        await eventually(partial(_settled, calls, 15))
        await self.settle()
        # Five start now, five wait for slots 12..60 s away, ten would wait longer.
        assert len(calls.started) == 5 and len(calls.errors) == 10
        assert {calls.refused(n).retry_after_ms for n in calls.errors} == {72_000}
        assert (await limiter.status(AGENT)).queued == 5
        clock.advance(11.999)
        await self.settle()
        assert len(calls.started) == 5
        clock.advance(0.001)
        await eventually(partial(_started, calls, 6))
        clock.advance(48)
        await eventually(partial(_started, calls, 10))
        assert (await limiter.status(AGENT)).queued == 0

    async def test_burst_above_the_rate(self, limiter: RateLimiter, clock: FakeClock) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 10, burst=3, max_queue_ms=0))
        for _ in range(3):
            await (await limiter.acquire(AGENT)).release()
        with pytest.raises(RateLimited) as refused:
            await limiter.acquire(AGENT)
        assert refused.value.retry_after_ms == 10_000
        clock.advance(10)
        await (await limiter.acquire(AGENT)).release()
        with pytest.raises(RateLimited):
            await limiter.acquire(AGENT)

    async def test_bucket_refills_with_time(self, limiter: RateLimiter, clock: FakeClock) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(2, 10, max_queue_ms=0))  # T = 5 s
        assert (await limiter.status(AGENT)).available == 2
        for _ in range(2):
            await (await limiter.acquire(AGENT)).release()
        assert (await limiter.status(AGENT)).available == 0
        clock.advance(2)
        with pytest.raises(RateLimited) as refused:
            await limiter.acquire(AGENT)
        assert refused.value.retry_after_ms == 3_000
        clock.advance(3)
        assert (await limiter.status(AGENT)).available == 1
        await (await limiter.acquire(AGENT)).release()
        clock.advance(60)  # a long pause refills to the burst, never beyond it
        assert (await limiter.status(AGENT)).available == 2

    async def test_queued_calls_start_first_come_first_served(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 1, max_queue_ms=10_000))
        await calls.run("a")
        await calls.queue("b", "c", "d")
        for expected in (["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d"]):
            clock.advance(1)
            await eventually(partial(_started, calls, len(expected)))
            await self.settle()
            assert calls.started == expected

    async def test_full_queue_refuses_at_once(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 1, max_queue_length=2))
        await calls.run("a")
        await calls.queue("b", "c")
        with pytest.raises(RateLimited) as refused:
            await limiter.acquire(AGENT)
        assert refused.value.reason == "QUEUE_FULL"
        assert refused.value.retry_after_ms == 3_000  # its slot would have been 3 s away
        assert (await limiter.status(AGENT)).queued == 2

    async def test_predictably_late_call_is_refused_without_waiting(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 10, max_queue_ms=15_000))
        await calls.run("a")
        await calls.queue("b")  # its slot is 10 s away: it waits
        before, began = clock.monotonic(), time.monotonic()
        with pytest.raises(RateLimited) as refused:
            await limiter.acquire(AGENT)  # 20 s away > 15 s: refused now
        assert time.monotonic() - began < 1 and clock.monotonic() == before
        assert refused.value.retry_after_ms == 20_000 and refused.value.reason == "RATE"
        assert (await limiter.status(AGENT)).queued == 1

    async def test_cancelled_waiter_gives_its_place_back(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 1, max_queue_ms=3_000))
        await calls.run("a")
        await calls.queue("b", "c", "d")  # slots at 1, 2 and 3 s
        with pytest.raises(RateLimited):
            await limiter.acquire(AGENT)  # 4 s away: no room
        await calls.cancel("b")  # the client went away
        assert (await limiter.status(AGENT)).queued == 2
        await calls.queue("e")  # the returned slot lets it in
        clock.advance(2)
        await eventually(partial(_started, calls, 2))
        assert calls.started[:2] == ["a", "c"]
        clock.advance(1)
        await eventually(partial(_started, calls, 4))
        assert set(calls.started) == {"a", "c", "d", "e"}
        status = await limiter.status(AGENT)
        assert (status.queued, status.rejected_total) == (0, 1)

    async def test_raising_the_limit_gives_relief_at_once(
        self, limiter: RateLimiter, clock: FakeClock
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 60, max_queue_ms=0))
        permits = [await limiter.acquire(AGENT)]
        with pytest.raises(RateLimited):
            await limiter.acquire(AGENT)
        await limiter.configure(AGENT, RateLimitPolicy(3, 60, max_queue_ms=0))
        permits += [await limiter.acquire(AGENT) for _ in range(3)]  # a fresh, full bucket
        with pytest.raises(RateLimited):
            await limiter.acquire(AGENT)
        await limiter.configure(AGENT, None)
        permits += [await limiter.acquire(AGENT) for _ in range(20)]
        status = await limiter.status(AGENT)
        assert status.limit is None and status.available is None and status.in_flight == 24
        for permit in permits:
            await permit.release()
        assert (await limiter.status(AGENT)).in_flight == 0

    async def test_the_same_policy_again_changes_nothing(
        self, limiter: RateLimiter, clock: FakeClock
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 60, max_queue_ms=0))
        await (await limiter.acquire(AGENT)).release()
        await limiter.configure(AGENT, RateLimitPolicy(1, 60, burst=1, max_queue_ms=0))
        with pytest.raises(RateLimited):
            await limiter.acquire(AGENT)

    async def test_new_policy_requeues_waiters_in_their_order(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 10, max_queue_ms=60_000))
        await calls.run("a")
        await calls.queue("b", "c", "d")
        # Burst 2: b and c fit the fresh bucket now; d's slot is 100 s away: refused.
        await limiter.configure(AGENT, RateLimitPolicy(1, 100, burst=2, max_queue_ms=60_000))
        await eventually(partial(_settled, calls, 4))
        assert sorted(calls.started) == ["a", "b", "c"]
        assert calls.refused("d").retry_after_ms == 100_000
        await limiter.configure(AGENT, RateLimitPolicy(1, 10, max_queue_ms=60_000))
        calls.spawn("e")  # the fresh bucket's one token
        await eventually(partial(_started, calls, 4))
        await calls.queue("f", "g")
        await limiter.configure(AGENT, None)  # unlimited: everyone waiting goes now
        await eventually(partial(_started, calls, 6))
        assert sorted(calls.started[4:]) == ["f", "g"]
        assert (await limiter.status(AGENT)).queued == 0

    async def test_concurrency_cap(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        policy = RateLimitPolicy(100, 1, max_concurrent=2, max_queue_ms=5_000)
        await limiter.configure(AGENT, policy)
        calls.spawn("a", "b")
        await eventually(partial(_started, calls, 2))
        await calls.queue("c", "d")
        status = await limiter.status(AGENT)
        assert (status.in_flight, status.queued) == (2, 2)
        await calls.release("a")
        await eventually(partial(_started, calls, 3))
        assert calls.started[2] == "c"
        clock.advance(5)  # d's queue time runs out before a slot frees
        await eventually(partial(_settled, calls, 4))
        refused = calls.refused("d")
        assert refused.reason == "CONCURRENCY" and refused.retry_after_ms == 1_000
        await calls.release("b")
        await calls.release("c")
        status = await limiter.status(AGENT)
        assert (status.in_flight, status.queued, status.rejected_total) == (0, 0, 1)

    async def test_concurrency_line_is_first_come_first_served(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(100, 1, max_concurrent=1))
        await calls.run("a")
        await calls.queue("b", "c", "d")
        for previous, expected in (("a", "b"), ("b", "c"), ("c", "d")):
            await calls.release(previous)
            await eventually(partial(_started, calls, len(calls.started) + 1))
            assert calls.started[-1] == expected

    async def test_a_third_of_a_second_is_exact(
        self, limiter: RateLimiter, clock: FakeClock
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(3, 1, max_queue_ms=0))  # T = 1/3 s
        results = await asyncio.gather(
            *(limiter.acquire(AGENT) for _ in range(4)), return_exceptions=True
        )
        assert sum(isinstance(r, Permit) for r in results) == 3
        for _ in range(100):  # float noise must neither refuse a due slot nor allow an extra one
            clock.advance(1 / 3)
            await (await limiter.acquire(AGENT)).release()
            with pytest.raises(RateLimited):
                await limiter.acquire(AGENT)
        for result in results:
            if isinstance(result, Permit):
                await result.release()

    async def test_rejected_last_hour_slides(self, limiter: RateLimiter, clock: FakeClock) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 1, max_queue_ms=0))
        await (await limiter.acquire(AGENT)).release()
        with pytest.raises(RateLimited):
            await limiter.acquire(AGENT)
        clock.advance(1800)
        await (await limiter.acquire(AGENT)).release()
        with pytest.raises(RateLimited):
            await limiter.acquire(AGENT)
        assert (await limiter.status(AGENT)).rejected_last_hour == 2
        clock.advance(1799.5)  # the first rejection's second is now 3599.5 s ago
        assert (await limiter.status(AGENT)).rejected_last_hour == 2
        clock.advance(0.5)
        assert (await limiter.status(AGENT)).rejected_last_hour == 1
        clock.advance(1800)
        status = await limiter.status(AGENT)
        assert (status.rejected_last_hour, status.rejected_total) == (0, 2)

    async def test_five_hundred_concurrent_calls_neither_deadlock_nor_leak(
        self, limiter: RateLimiter, clock: FakeClock
    ) -> None:
        policy = RateLimitPolicy(
            50, 1, max_concurrent=10, max_queue_ms=60_000, max_queue_length=10_000
        )
        await limiter.configure(AGENT, policy)
        finished: list[int] = []

        async def call(i: int) -> None:
            async with limiter.slot(AGENT):
                await asyncio.sleep(0)
            finished.append(i)

        tasks = [asyncio.create_task(call(i)) for i in range(500)]
        await self.settle()
        doomed = tasks[100::40]  # ten callers that are surely still queued
        for task in doomed:
            task.cancel()
        deadline = time.monotonic() + 60
        while not all(task.done() for task in tasks):
            assert time.monotonic() < deadline, "calls are stuck"
            clock.advance(0.05)
            await asyncio.sleep(0.001)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        outcomes = dict(zip(tasks, results, strict=True))
        assert all(isinstance(outcomes[task], asyncio.CancelledError) for task in doomed)
        assert len(doomed) == 10
        assert len(finished) == 490, Counter(repr(r)[:100] for r in results if r is not None)
        status = await limiter.status(AGENT)
        assert (status.queued, status.in_flight, status.rejected_total) == (0, 0, 0)
        await eventually(_no_stray_tasks)

    async def test_close_refuses_waiters_and_later_calls(
        self, limiter: RateLimiter, clock: FakeClock, calls: Calls
    ) -> None:
        await limiter.configure(AGENT, RateLimitPolicy(1, 1))
        await calls.run("a")
        await calls.queue("b")
        await limiter.close()
        await eventually(partial(_settled, calls, 2))
        assert isinstance(calls.errors["b"], RateLimiterUnavailable)
        with pytest.raises(RateLimiterUnavailable):
            await limiter.acquire(AGENT)


async def _started(calls: Calls, n: int) -> bool:
    return len(calls.started) >= n


async def _settled(calls: Calls, n: int) -> bool:
    return len(calls.started) + len(calls.errors) >= n


async def _no_stray_tasks() -> bool:
    """Only the test itself (and a backend's long-lived listener) may still run."""
    current = asyncio.current_task()
    stray = [
        t
        for t in asyncio.all_tasks()
        if t is not current and not t.done() and t.get_name() != "rate-limit-releases"
    ]
    return not stray
