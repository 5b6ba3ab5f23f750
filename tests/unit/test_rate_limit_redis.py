"""`RedisRateLimiter`: the shared contract on a real Redis, limits shared by two "processes",
leases of crashed processes lapsing, and behaviour while Redis is down and after it returns.

Each test uses its own key prefix (deleted afterwards; never FLUSHALL). The outage tests run
their own redis-server on a free port.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack
from functools import partial
from typing import Any
from uuid import uuid4

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from services.clock import SystemClock
from services.rate_limit import (
    Permit,
    RateLimited,
    RateLimiter,
    RateLimiterUnavailable,
    RateLimitPolicy,
    RedisRateLimiter,
)
from tests.support.clock import FakeClock
from tests.support.databases import unavailable
from tests.support.rate_limit_contract import (
    AGENT,
    FIVE_PER_MINUTE,
    Calls,
    RateLimiterContract,
    eventually,
)
from tests.support.server import free_port

REDIS_URL = os.environ.get("AGENTWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
Factory = Callable[..., RedisRateLimiter]


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the shared Redis; its keys are deleted afterwards."""
    prefix = f"agentwatch:test:{uuid4().hex}:"
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        await client.ping()
    except (RedisConnectionError, OSError) as exc:
        await client.aclose()
        unavailable("Redis", f"{REDIS_URL}: {exc}")
    try:
        yield prefix
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
async def make_limiter(prefix: str, clock: FakeClock) -> AsyncIterator[Factory]:
    """Limiters on the shared Redis and the test's prefix, like processes of one deployment."""
    async with AsyncExitStack() as stack:

        def make(url: str = REDIS_URL, **kwargs: Any) -> RedisRateLimiter:
            limiter = RedisRateLimiter(url, clock, key_prefix=prefix, timers=clock, **kwargs)
            stack.push_async_callback(limiter.close)
            return limiter

        yield make


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class TestRedisRateLimiter(RateLimiterContract):
    async def settle(self) -> None:
        await asyncio.sleep(0.05)  # woken callers need round trips to Redis

    @pytest.fixture
    async def limiter(self, make_limiter: Factory) -> RateLimiter:
        # The contract is about behaviour, not outage detection (tested below with the
        # defaults): generous timeouts keep a loaded test machine from failing it closed.
        return make_limiter(socket_timeout=5, connect_timeout=5)


async def test_two_processes_share_one_limit(make_limiter: Factory) -> None:
    first, second = make_limiter(), make_limiter()
    await first.configure(AGENT, FIVE_PER_MINUTE)
    await second.configure(AGENT, FIVE_PER_MINUTE)  # the same policy again: no second reset
    results = await asyncio.gather(
        *(limiter.acquire(AGENT) for limiter in (first, second) * 5), return_exceptions=True
    )
    permits = [r for r in results if isinstance(r, Permit)]
    assert len(permits) == 5 and sum(isinstance(r, RateLimited) for r in results) == 5
    status = await second.status(AGENT)
    assert (status.available, status.in_flight, status.rejected_total) == (0, 5, 5)
    for permit in permits:
        await permit.release()
    assert (await first.status(AGENT)).in_flight == 0


async def test_a_changed_policy_resets_the_shared_bucket_once(make_limiter: Factory) -> None:
    first, second = make_limiter(), make_limiter()
    for limiter in (first, second):
        await limiter.configure(AGENT, RateLimitPolicy(1, 60, max_queue_ms=0))
    raised = RateLimitPolicy(2, 60, max_queue_ms=0)
    await first.configure(AGENT, raised)  # a fresh bucket of two
    await (await first.acquire(AGENT)).release()
    await second.configure(AGENT, raised)  # the same update reaching another process: no reset
    await (await second.acquire(AGENT)).release()
    with pytest.raises(RateLimited):
        await first.acquire(AGENT)


async def test_concurrency_slot_freed_elsewhere_wakes_the_waiter(
    make_limiter: Factory, clock: FakeClock
) -> None:
    first, second = make_limiter(), make_limiter()
    policy = RateLimitPolicy(100, 1, max_concurrent=1, max_queue_ms=60_000)
    for limiter in (first, second):
        await limiter.configure(AGENT, policy)
    held = await first.acquire(AGENT)
    waiter = Calls(second)
    try:
        await waiter.queue("b")
        await asyncio.sleep(0.05)
        assert waiter.started == []
        began = time.monotonic()
        await held.release()  # announced on the release channel
        await eventually(partial(_started, waiter))
        assert time.monotonic() - began < 0.5  # a message, not the 1 s fallback poll
    finally:
        await waiter.close()


async def test_slots_of_a_crashed_process_come_back_when_its_lease_lapses(
    make_limiter: Factory, clock: FakeClock
) -> None:
    crashed, survivor = make_limiter(lease_seconds=30), make_limiter(lease_seconds=30)
    policy = RateLimitPolicy(100, 1, max_concurrent=1, max_queue_ms=60_000)
    for limiter in (crashed, survivor):
        await limiter.configure(AGENT, policy)
    await crashed.acquire(AGENT)  # never released
    await crashed.close()
    waiter = Calls(survivor)
    try:
        await waiter.queue("b")
        clock.advance(29.9)
        await asyncio.sleep(0.05)
        assert waiter.started == []
        clock.advance(0.1)  # the lease lapses: the waiter's own timer wakes it
        await eventually(partial(_started, waiter))
    finally:
        await waiter.close()


class OwnRedis:
    """A throwaway redis-server on a free port that a test may stop and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                sock.settimeout(0.5)
                try:
                    sock.connect(("127.0.0.1", self.port))
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
                except OSError:
                    pass
            time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def pause(self) -> None:
        """Freeze the server: connections hang instead of being refused (like a partition)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGCONT)  # a paused server cannot terminate
            self._process.terminate()
            self._process.wait(timeout=10)
        self._process = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        unavailable("redis-server", "the binary is not on PATH")
    server = OwnRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_redis_down_fails_closed_or_open_and_recovers_by_itself(
    make_limiter: Factory, own_redis: OwnRedis
) -> None:
    closed = make_limiter(own_redis.url)
    open_ = make_limiter(own_redis.url, fail_open=True)
    policy = RateLimitPolicy(100, 1, max_concurrent=5)
    for limiter in (closed, open_):
        await limiter.configure(AGENT, policy)
    await (await closed.acquire(AGENT)).release()

    own_redis.stop()
    began = time.monotonic()
    with pytest.raises(RateLimiterUnavailable) as error:
        await closed.acquire(AGENT)
    assert time.monotonic() - began < 2
    assert error.value.code == "RATE_LIMITER_UNAVAILABLE" and "Redis" in error.value.message
    with pytest.raises(RateLimiterUnavailable):
        await closed.status(AGENT)
    admitted = [await open_.acquire(AGENT) for _ in range(10)]  # beyond the cap of 5: open
    assert time.monotonic() - began < 5
    for permit in admitted:
        await permit.release()

    own_redis.start()  # same port, empty: the same limiter objects carry on
    permit = await closed.acquire(AGENT)
    status = await closed.status(AGENT)
    assert (status.in_flight, status.available) == (1, 99)
    await permit.release()
    await (await open_.acquire(AGENT)).release()


async def test_a_hung_redis_fails_within_the_socket_timeout(
    make_limiter: Factory, own_redis: OwnRedis
) -> None:
    limiter = make_limiter(own_redis.url)
    await limiter.configure(AGENT, RateLimitPolicy(100, 1))
    await (await limiter.acquire(AGENT)).release()
    own_redis.pause()
    try:
        began = time.monotonic()
        with pytest.raises(RateLimiterUnavailable):
            await limiter.acquire(AGENT)
        assert time.monotonic() - began < 2
    finally:
        own_redis.resume()
    await (await limiter.acquire(AGENT)).release()


async def test_a_waiter_in_line_learns_of_an_outage_and_releases_reach_it_after(
    make_limiter: Factory, own_redis: OwnRedis, prefix: str
) -> None:
    waiting_side, other_side = make_limiter(own_redis.url), make_limiter(own_redis.url)
    policy = RateLimitPolicy(100, 1, max_concurrent=1, max_queue_ms=60_000)
    for limiter in (waiting_side, other_side):
        await limiter.configure(AGENT, policy)
    held = await other_side.acquire(AGENT)
    calls = Calls(waiting_side)
    try:
        await calls.queue("b")
        own_redis.stop()
        began = time.monotonic()
        await eventually(partial(_refused, calls))
        assert isinstance(calls.errors["b"], RateLimiterUnavailable)
        assert time.monotonic() - began < 2
        await held.release()  # logged and skipped: Redis is down

        own_redis.start()  # empty again
        held = await other_side.acquire(AGENT)
        await eventually(partial(_subscribed, own_redis.url, f"{prefix}released"))
        await calls.queue("c")
        began = time.monotonic()
        await held.release()  # from the other process: only the channel can tell
        await eventually(partial(_started, calls))
        assert time.monotonic() - began < 0.5  # the resubscribed channel, not the 1 s poll
    finally:
        await calls.close()


async def test_waits_on_the_real_clock(prefix: str) -> None:
    limiter = RedisRateLimiter(REDIS_URL, SystemClock(), key_prefix=prefix)
    await limiter.configure(AGENT, RateLimitPolicy(10, 1, burst=1))  # one call every 100 ms
    try:
        began = time.monotonic()
        permits = await asyncio.gather(*(limiter.acquire(AGENT) for _ in range(3)))
        assert 0.18 < time.monotonic() - began < 5
        waits = sorted(permit.waited_seconds for permit in permits)
        # The first call is admitted without queueing (less than one 100 ms interval, even with
        # a slow Redis round trip); the others wait one and two intervals. Upper bounds are loose
        # because a loaded machine delays wake-ups, never shortens them.
        assert waits[0] < 0.09 and 0.09 < waits[1] < 2.5 and 0.19 < waits[2] < 2.6
        for permit in permits:
            await permit.release()
    finally:
        await limiter.close()


async def test_unreachable_redis_on_configure(make_limiter: Factory) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(RateLimiterUnavailable):
        await make_limiter(dead).configure(AGENT, FIVE_PER_MINUTE)
    lenient = make_limiter(dead, fail_open=True)
    await lenient.configure(AGENT, FIVE_PER_MINUTE)  # logged, and the policy still applies
    permits = [await lenient.acquire(AGENT) for _ in range(10)]
    assert len(permits) == 10


async def _started(calls: Calls) -> bool:
    return bool(calls.started)


async def _refused(calls: Calls) -> bool:
    return bool(calls.errors)


async def _subscribed(url: str, channel: str) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=1)
    try:
        counts = await client.pubsub_numsub(channel)
    finally:
        await client.aclose()
    return bool(counts and counts[0][1] >= 1)
