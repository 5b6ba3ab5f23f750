"""The in-process limiter: exact GCRA, FIFO queuing and a concurrency cap, per agent.

A call passes two stages. Rate: it reserves its GCRA slot on arrival (refused at once if the
slot is further than `max_queue_ms` away or `max_queue_length` callers already wait) and waits
for it at a `Gate` opened by a timer. Concurrency: with `max_concurrent` set, it then waits in
a FIFO line for a free permit, within what is left of `max_queue_ms`. A permit released hands
itself straight to the head of that line, so nobody can barge in.

Everything runs on the event loop thread without locks: state only changes between awaits.
"""

import asyncio
from collections import deque
from dataclasses import dataclass, field
from functools import partial

from services.clock import Clock
from services.rate_limit import gcra
from services.rate_limit.counters import RejectionLog
from services.rate_limit.errors import RateLimited, RateLimiterUnavailable, Reason
from services.rate_limit.limiter import Permit, RateLimiter, RateLimitStatus
from services.rate_limit.policy import RateLimitPolicy, ResolvedPolicy, fingerprint
from services.rate_limit.waiting import Gate, LoopTimers, Timers

# When a run will end is unknowable, so a refused concurrency waiter gets a fixed hint.
CONCURRENCY_RETRY_SECONDS = 1.0


@dataclass(eq=False)
class _Waiter:
    """A queued caller; `start` is its reserved slot and `generation` the bucket it came from."""

    gate: Gate
    arrival: float
    start: float = 0.0
    generation: int = 0


@dataclass(eq=False)
class _Agent:
    policy: ResolvedPolicy | None = None
    tat: float = gcra.FRESH
    generation: int = 0  # bumped by configure: older reservations are not given back
    rate_queue: list[_Waiter] = field(default_factory=list)  # in order of `start`
    slot_queue: deque[_Waiter] = field(default_factory=deque)
    in_flight: int = 0
    rejections: RejectionLog = field(default_factory=RejectionLog)

    @property
    def queued(self) -> int:
        return len(self.rate_queue) + len(self.slot_queue)


def refusal(state: _Agent, policy: ResolvedPolicy, wait: float, budget: float) -> Reason | None:
    """Why a caller whose slot is `wait` seconds away cannot queue for it, if it cannot."""
    if wait <= 0:
        return None
    if wait > budget + gcra.EPSILON:
        return "RATE"
    if state.queued >= policy.max_queue_length:
        return "QUEUE_FULL"
    return None


class MemoryRateLimiter(RateLimiter):
    """Limits for this process only; time from `clock.monotonic()`, waits on `timers`."""

    def __init__(self, clock: Clock, timers: Timers | None = None) -> None:
        self._clock = clock
        self._timers: Timers = timers or LoopTimers()
        self._agents: dict[str, _Agent] = {}
        self._closed = False

    async def acquire(self, agent: str) -> Permit:
        state = self._state(agent)
        arrival = self._clock.monotonic()
        generation, queued = await self._pass_rate(agent, state, arrival)
        waited_for_slot = await self._take_slot(agent, state, arrival, generation, queued)

        async def release() -> None:
            state.in_flight -= 1
            self._hand_over(state)

        return Permit(
            agent, self._clock.monotonic() - arrival, release, queued=queued or waited_for_slot
        )

    async def configure(self, agent: str, policy: RateLimitPolicy | None) -> None:
        state = self._state(agent)
        resolved = None if policy is None else policy.resolved()
        unchanged = fingerprint(resolved) == fingerprint(state.policy)
        state.policy = resolved
        if unchanged:
            return  # re-applying the same policy must not hand out a fresh burst
        state.generation += 1
        state.tat = gcra.FRESH
        if resolved is not None:
            self._recheck_slot_queue(agent, state, resolved)
        self._hand_over(state)
        self._rereserve(agent, state, resolved)

    async def status(self, agent: str) -> RateLimitStatus:
        state = self._agents.get(agent) or _Agent()
        now, policy = self._clock.monotonic(), state.policy
        return RateLimitStatus(
            limit=None if policy is None else policy.source,
            available=None if policy is None else gcra.available(state.tat, now, policy),
            queued=state.queued,
            in_flight=state.in_flight,
            rejected_last_hour=state.rejections.last_hour(now),
            rejected_total=state.rejections.total,
        )

    async def close(self) -> None:
        self._closed = True
        for state in self._agents.values():
            for waiter in [*state.rate_queue, *state.slot_queue]:
                waiter.gate.fail(RateLimiterUnavailable("the rate limiter is closed"))
            state.rate_queue.clear()
            state.slot_queue.clear()

    def _state(self, agent: str) -> _Agent:
        if self._closed:
            raise RateLimiterUnavailable("the rate limiter is closed")
        return self._agents.setdefault(agent, _Agent())

    def _refuse(self, agent: str, state: _Agent, wait: float, reason: Reason) -> RateLimited:
        state.rejections.record(self._clock.monotonic())
        return RateLimited.for_agent(agent, wait, reason)

    # Rate stage ---------------------------------------------------------------------------

    async def _pass_rate(self, agent: str, state: _Agent, arrival: float) -> tuple[int, bool]:
        """Reserve the caller's slot and wait for it: (reservation generation, whether queued)."""
        policy = state.policy
        if policy is None:
            return state.generation, False
        wait = gcra.wait_for(state.tat, arrival, policy)
        reason = refusal(state, policy, wait, policy.max_queue_seconds)
        if reason is not None:
            raise self._refuse(agent, state, wait, reason)
        state.tat = gcra.reserve(state.tat, arrival, policy)
        if wait == 0:
            return state.generation, False
        waiter = _Waiter(Gate(self._timers), arrival, arrival + wait, state.generation)
        state.rate_queue.append(waiter)
        waiter.gate.schedule(wait, partial(self._on_due, state, waiter))
        try:
            await waiter.gate.future
        except asyncio.CancelledError:
            self._abandon_rate(state, waiter)
            raise
        return waiter.generation, True

    def _on_due(self, state: _Agent, waiter: _Waiter) -> None:
        if waiter.gate.settled():
            return  # its caller is leaving and will hand the slot back itself
        if waiter in state.rate_queue:
            state.rate_queue.remove(waiter)
        waiter.gate.open()

    def _abandon_rate(self, state: _Agent, waiter: _Waiter) -> None:
        """A caller cancelled before (or just as) its slot came hands the slot back."""
        waiter.gate.cancel_timer()
        if waiter.gate.refused():
            return  # configure or close refused it: it holds no reservation any more
        later = 0  # already due: everyone still queued is behind it
        if waiter in state.rate_queue:
            later = state.rate_queue.index(waiter)
            state.rate_queue.remove(waiter)
        self._give_back(state, waiter.generation, later)

    def _give_back(self, state: _Agent, generation: int, later: int) -> None:
        """Return one unused reservation; the waiters from index `later` on move up one slot."""
        policy = state.policy
        if policy is None or generation != state.generation:
            return  # taken from a bucket that configure has since replaced
        state.tat -= policy.interval
        now = self._clock.monotonic()
        for waiter in state.rate_queue[later:]:
            waiter.start = max(now, waiter.start - policy.interval)
            waiter.gate.schedule(waiter.start - now, partial(self._on_due, state, waiter))

    def _rereserve(self, agent: str, state: _Agent, policy: ResolvedPolicy | None) -> None:
        """Queue the rate waiters again, in their order, against the fresh bucket."""
        waiters, state.rate_queue = state.rate_queue, []
        now = self._clock.monotonic()
        for waiter in waiters:
            if waiter.gate.settled():
                continue
            if policy is None:
                waiter.gate.open()
                continue
            wait = gcra.wait_for(state.tat, now, policy)
            reason = refusal(state, policy, wait, waiter.arrival + policy.max_queue_seconds - now)
            if reason is not None:
                waiter.gate.fail(self._refuse(agent, state, wait, reason))
                continue
            state.tat = gcra.reserve(state.tat, now, policy)
            waiter.generation, waiter.start = state.generation, now + wait
            if wait > 0:
                state.rate_queue.append(waiter)
            waiter.gate.schedule(wait, partial(self._on_due, state, waiter))

    # Concurrency stage --------------------------------------------------------------------

    async def _take_slot(
        self, agent: str, state: _Agent, arrival: float, generation: int, queued: bool
    ) -> bool:
        """Count the caller in flight, first waiting in line for a free slot if capped;
        True when it had to wait in line."""
        policy = state.policy
        if (
            policy is None
            or policy.max_concurrent is None
            or (state.in_flight < policy.max_concurrent and not state.slot_queue)
        ):
            state.in_flight += 1
            return False
        budget = arrival + policy.max_queue_seconds - self._clock.monotonic()
        # A caller that already queued for its rate slot keeps its place in the count.
        full = not queued and state.queued >= policy.max_queue_length
        if full or budget <= gcra.EPSILON:
            self._give_back(state, generation, 0)
            reason: Reason = "QUEUE_FULL" if full else "CONCURRENCY"
            raise self._refuse(agent, state, CONCURRENCY_RETRY_SECONDS, reason)
        waiter = _Waiter(Gate(self._timers), arrival, generation=generation)
        state.slot_queue.append(waiter)
        waiter.gate.schedule(budget, partial(self._on_slot_timeout, agent, state, waiter))
        try:
            await waiter.gate.future
        except asyncio.CancelledError:
            self._abandon_slot(state, waiter)
            raise
        return True

    def _on_slot_timeout(self, agent: str, state: _Agent, waiter: _Waiter) -> None:
        if waiter.gate.settled():
            return
        state.slot_queue.remove(waiter)
        self._give_back(state, waiter.generation, 0)
        waiter.gate.fail(self._refuse(agent, state, CONCURRENCY_RETRY_SECONDS, "CONCURRENCY"))

    def _abandon_slot(self, state: _Agent, waiter: _Waiter) -> None:
        waiter.gate.cancel_timer()
        if waiter.gate.refused():
            return  # timed out, reconfigured away or closed: already settled
        if waiter.gate.decided():
            # Granted just as the cancellation landed: pass the slot on to the next in line.
            state.in_flight -= 1
            self._hand_over(state)
        elif waiter in state.slot_queue:
            state.slot_queue.remove(waiter)
        self._give_back(state, waiter.generation, 0)

    def _hand_over(self, state: _Agent) -> None:
        """Give free slots to the head of the line, oldest first."""
        policy = state.policy
        cap = None if policy is None else policy.max_concurrent
        while state.slot_queue and (cap is None or state.in_flight < cap):
            waiter = state.slot_queue.popleft()
            if not waiter.gate.settled():
                state.in_flight += 1
                waiter.gate.open()

    def _recheck_slot_queue(self, agent: str, state: _Agent, policy: ResolvedPolicy) -> None:
        """Apply a new policy's queue time and length to callers waiting for a slot."""
        now, kept = self._clock.monotonic(), 0
        for waiter in list(state.slot_queue):
            if waiter.gate.settled():
                state.slot_queue.remove(waiter)
                continue
            budget = waiter.arrival + policy.max_queue_seconds - now
            if budget <= gcra.EPSILON or kept >= policy.max_queue_length:
                state.slot_queue.remove(waiter)
                reason: Reason = "QUEUE_FULL" if budget > gcra.EPSILON else "CONCURRENCY"
                waiter.gate.fail(self._refuse(agent, state, CONCURRENCY_RETRY_SECONDS, reason))
                continue
            kept += 1
            waiter.gate.schedule(budget, partial(self._on_slot_timeout, agent, state, waiter))
