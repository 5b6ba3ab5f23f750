"""The shared limiter: `MemoryRateLimiter`'s contract, with the state in Redis.

Every AgentWatch process on one Redis shares each agent's bucket, queue count, concurrency
slots and rejection counters; each check-and-take is one Lua script (`redis_scripts.py`).
Policies live in each process (the app calls `configure` on start and on every change); a
changed policy resets the shared bucket once, however many processes apply it.

Differences from the in-process limiter, by design:
- Time is the callers' wall clock (`clock.now()`), the only one processes on different hosts
  share; keep hosts NTP-synchronised.
- A cancelled waiter returns its reservation, but waiters queued elsewhere keep their times:
  the freed capacity goes to the next arrival instead of moving everyone up.
- Concurrency slots are leases that expire after `lease_seconds`, so a crashed process's
  slots come back; make it longer than the longest agent timeout.
- Redis unreachable: `acquire`/`configure` raise `RateLimiterUnavailable` at once (fail
  closed), or, with `fail_open=True`, admit without limits. `status` always raises. The
  client reconnects by itself on the next call once Redis is back.
"""

import asyncio
import contextlib
import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit
from uuid import uuid4

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from services.clock import Clock
from services.rate_limit import gcra
from services.rate_limit.errors import RateLimited, RateLimiterUnavailable, Reason
from services.rate_limit.limiter import Permit, RateLimiter, RateLimitStatus
from services.rate_limit.memory import CONCURRENCY_RETRY_SECONDS
from services.rate_limit.policy import RateLimitPolicy, ResolvedPolicy, fingerprint
from services.rate_limit.redis_notify import REDIS_DOWN, ReleaseNotifier
from services.rate_limit.redis_scripts import GRANTED, TIMED_OUT, WAITING
from services.rate_limit.redis_store import Reservation, SharedState
from services.rate_limit.waiting import Gate, LoopTimers, Timers

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_LEASE_SECONDS = 3900.0  # the longest agent timeout (1 h) plus five minutes
# Re-check for a slot at least this often (real time) in case a release message was lost.
POLL_SECONDS = 1.0
POOL_TIMEOUT_SECONDS = 2.0  # longest wait for a free connection under load


@dataclass(eq=False)
class _Caller:
    """One acquire in progress; `id` names its queue entry and, later, its lease."""

    id: str
    arrival_ms: float
    epoch: str = ""  # the bucket its reservation came from ("" = none yet)
    start_ms: float = 0.0
    gate: Gate | None = None
    waited_for_rate: bool = False


class RedisRateLimiter(RateLimiter):
    """Limits shared by every process using the same Redis and `key_prefix`."""

    def __init__(
        self,
        url: str,
        clock: Clock,
        key_prefix: str = "agentwatch:rl:",
        fail_open: bool = False,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        timers: Timers | None = None,
        socket_timeout: float = 0.5,
        connect_timeout: float = 1.0,
        max_connections: int = 50,
    ) -> None:
        # Short timeouts, and one immediate retry on connection errors only: a stale pooled
        # connection after a Redis restart is retried on a fresh one, a dead Redis fails at
        # once, and a timed-out script (which may still run) is never sent twice.
        # A bounded, blocking pool: a burst of callers waits briefly for a connection rather
        # than opening hundreds of them.
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=POOL_TIMEOUT_SECONDS,
            decode_responses=True,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        self._client: Redis = Redis.from_pool(pool)
        parts = urlsplit(url)
        self._where = f"Redis at {parts.hostname}:{parts.port or 6379}"  # never the password
        self._clock = clock
        self._timers: Timers = timers or LoopTimers()
        self._fail_open = fail_open
        self._lease_ms = lease_seconds * 1000
        self._state = SharedState(self._client, key_prefix)
        self._notifier = ReleaseNotifier(self._client, self._state.channel)
        self._policies: dict[str, ResolvedPolicy | None] = {}
        self._waiting: defaultdict[str, list[_Caller]] = defaultdict(list)
        self._local_in_flight: Counter[str] = Counter()
        self._closed = False

    async def acquire(self, agent: str) -> Permit:
        self._check_open()
        if self._policies.get(agent) is None:
            return self._local_permit(agent, 0.0)
        caller = _Caller(uuid4().hex, self._now_ms())
        try:
            await self._pass_rate(agent, caller)
            return await self._take_slot(agent, caller)
        except REDIS_DOWN as exc:
            if not self._fail_open:
                raise self._unavailable(exc) from exc
            log.warning("rate limiter fails open for %r: %s unreachable", agent, self._where)
            return self._local_permit(agent, (self._now_ms() - caller.arrival_ms) / 1000)

    async def configure(self, agent: str, policy: RateLimitPolicy | None) -> None:
        self._check_open()
        resolved = None if policy is None else policy.resolved()
        self._policies[agent] = resolved
        try:
            epoch = await self._state.reset(agent, fingerprint(resolved))
            await self._rereserve(agent, resolved, epoch)
        except REDIS_DOWN as exc:
            if not self._fail_open:
                raise self._unavailable(exc) from exc
            log.warning("rate limit of %r not reset: %s unreachable", agent, self._where)
        finally:
            self._notifier.wake(agent)  # callers in line re-read the policy

    async def status(self, agent: str) -> RateLimitStatus:
        self._check_open()
        policy, now = self._policies.get(agent), self._now_ms()
        try:
            counts = await self._state.counts(agent, now)
        except REDIS_DOWN as exc:
            raise self._unavailable(exc) from exc
        available = None
        if policy is not None:
            tat = gcra.FRESH if counts.tat_ms is None else counts.tat_ms / 1000
            available = gcra.available(tat, now / 1000, policy)
        return RateLimitStatus(
            limit=None if policy is None else policy.source,
            available=available,
            queued=counts.queued,
            in_flight=counts.leased + self._local_in_flight[agent],
            rejected_last_hour=counts.rejected_last_hour,
            rejected_total=counts.rejected_total,
        )

    async def close(self) -> None:
        self._closed = True
        for callers in self._waiting.values():
            for caller in callers:
                if caller.gate is not None:
                    caller.gate.fail(RateLimiterUnavailable("the rate limiter is closed"))
        await self._notifier.close()
        await self._client.aclose()

    # Rate stage ---------------------------------------------------------------------------

    async def _pass_rate(self, agent: str, caller: _Caller) -> None:
        """Reserve the caller's slot in the shared bucket and wait for it."""
        policy = self._policies.get(agent)
        if policy is None:
            return
        wait_ms = await self._reserve(agent, policy, caller)
        if wait_ms == 0:
            return
        caller.gate = gate = Gate(self._timers)
        waiting = self._waiting[agent]
        waiting.append(caller)
        gate.schedule(self._seconds_until(caller.start_ms), gate.open)
        try:
            await gate.future
        except asyncio.CancelledError:
            if not gate.refused():  # a refused caller holds no reservation any more
                await self._shielded(self._give_back(agent, caller))
            raise
        finally:
            waiting.remove(caller)

    async def _reserve(self, agent: str, policy: ResolvedPolicy, caller: _Caller) -> float:
        """Take the caller's slot; returns its wait in ms or raises `RateLimited`."""
        now = self._now_ms()

        async def undo(reservation: Reservation) -> None:
            if reservation.refused is None:
                caller.epoch = reservation.epoch
                await self._give_back(agent, caller)

        reservation = await self._finish(
            self._state.reserve(agent, policy, caller.id, caller.arrival_ms, now), undo
        )
        if reservation.refused is not None:
            await self._shielded(self._state.count_rejection(agent, now))
            raise RateLimited.for_agent(agent, reservation.wait_ms / 1000, reservation.refused)
        caller.epoch, caller.start_ms = reservation.epoch, now + reservation.wait_ms
        caller.waited_for_rate = caller.waited_for_rate or reservation.wait_ms > 0
        return reservation.wait_ms

    async def _rereserve(self, agent: str, policy: ResolvedPolicy | None, epoch: str) -> None:
        """After a reset, queue this process's rate waiters again, in their order."""
        for caller in sorted(self._waiting[agent], key=lambda c: (c.start_ms, c.arrival_ms)):
            gate = caller.gate
            if gate is None or gate.settled() or caller.epoch == epoch:
                continue  # leaving, or its reservation is in the current bucket already
            if policy is None:
                gate.open()
                continue
            try:
                await self._reserve(agent, policy, caller)
            except RateLimited as refused:
                gate.fail(refused)
                continue
            if gate.settled():  # its caller left while we re-queued it: return the new slot
                await self._give_back(agent, caller)
            else:
                gate.schedule(self._seconds_until(caller.start_ms), gate.open)

    async def _give_back(self, agent: str, caller: _Caller) -> None:
        policy = self._policies.get(agent)
        interval = 0.0 if policy is None else policy.interval * 1000
        await self._state.give_back(agent, caller.epoch, interval, caller.id)

    # Concurrency stage --------------------------------------------------------------------

    async def _take_slot(self, agent: str, caller: _Caller) -> Permit:
        try:
            return await self._wait_in_line(agent, caller)
        except asyncio.CancelledError:
            await self._shielded(self._abandon(agent, caller))
            raise

    async def _wait_in_line(self, agent: str, caller: _Caller) -> Permit:
        """Take a lease (always, so `in_flight` is shared), waiting in line if capped."""
        in_line = False
        while True:
            self._check_open()
            policy, now = self._policies.get(agent), self._now_ms()
            waited = (now - caller.arrival_ms) / 1000
            if policy is None:
                await self._state.leave(agent, caller.id)
                return self._local_permit(agent, waited)
            gate = Gate(self._timers)
            self._notifier.watch(agent, gate)  # before asking, so no release slips by
            try:
                reply = await self._finish(
                    self._state.lease(
                        agent, policy, caller.id, caller.arrival_ms, now, self._lease_ms
                    )
                )
                if reply.status == GRANTED:
                    queued = in_line or caller.waited_for_rate
                    return Permit(
                        agent, waited, partial(self._release, agent, caller.id), queued=queued
                    )
                if reply.status != WAITING:
                    await self._give_back(agent, caller)
                    await self._shielded(self._state.count_rejection(agent, now))
                    reason: Reason = "CONCURRENCY" if reply.status == TIMED_OUT else "QUEUE_FULL"
                    raise RateLimited.for_agent(agent, CONCURRENCY_RETRY_SECONDS, reason)
                in_line = True
                await self._notifier.start()
                # A lapsing lease frees a slot without any message: wake up for that too.
                wake_at = caller.arrival_ms + policy.max_queue_ms
                if reply.first_expiry_ms is not None:
                    wake_at = min(wake_at, reply.first_expiry_ms)
                gate.schedule(self._seconds_until(wake_at), gate.open)
                await asyncio.wait([gate.future], timeout=POLL_SECONDS)
            finally:
                gate.cancel_timer()
                self._notifier.unwatch(agent, gate)

    async def _abandon(self, agent: str, caller: _Caller) -> None:
        await self._state.leave(agent, caller.id)
        await self._give_back(agent, caller)

    async def _release(self, agent: str, caller_id: str) -> None:
        if self._closed:
            return  # the client is gone; the lease lapses after `lease_seconds`
        await self._shielded(self._state.leave(agent, caller_id))
        self._notifier.wake(agent)

    # Plumbing -----------------------------------------------------------------------------

    def _now_ms(self) -> float:
        return self._clock.now().timestamp() * 1000

    def _seconds_until(self, when_ms: float) -> float:
        # Measured after the round trip that produced `when_ms`, not before it.
        return (when_ms - self._now_ms()) / 1000

    def _check_open(self) -> None:
        if self._closed:
            raise RateLimiterUnavailable("the rate limiter is closed")

    def _unavailable(self, exc: BaseException) -> RateLimiterUnavailable:
        return RateLimiterUnavailable(
            f"the shared rate limiter cannot reach {self._where}: {exc}", backend="redis"
        )

    def _local_permit(self, agent: str, waited: float) -> Permit:
        """A permit Redis does not track: unlimited agents, or failing open."""
        self._local_in_flight[agent] += 1

        async def release() -> None:
            self._local_in_flight[agent] -= 1

        return Permit(agent, waited, release)

    async def _finish(
        self, call: Awaitable[T], undo: Callable[[T], Awaitable[None]] | None = None
    ) -> T:
        """Await a script even if our caller is cancelled meanwhile.

        The script may already have run on the server; on cancellation we wait for its reply
        and `undo` what it did, instead of leaving a reservation or lease behind.
        """
        task = asyncio.ensure_future(call)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                reply = await task
                if undo is not None:
                    await undo(reply)
            raise

    async def _shielded(self, work: Awaitable[object]) -> None:
        """Finish clean-up even if cancelled again; a Redis outage is logged, not raised."""

        async def quietly() -> None:
            try:
                await work
            except REDIS_DOWN as exc:
                log.warning("rate limiter clean-up skipped, %s unreachable: %s", self._where, exc)

        await asyncio.shield(asyncio.ensure_future(quietly()))
