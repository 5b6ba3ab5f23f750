"""A clock tests move by hand; it also serves as the limiters' `Timers`, so waits are instant."""

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(order=True)
class FakeTimer:
    """A scheduled callback; `cancel()` stops it from firing."""

    when: float  # seconds since the clock was created
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """Implements `services.clock.Clock` and `services.rate_limit.Timers`.

    Time stands still until `advance(seconds)`, which moves `now()` and `monotonic()` together
    and fires every timer that falls due, in order, each with the clock set to its own due
    time. Callbacks only schedule work on the event loop, so after advancing, a test awaits
    whatever it expects to happen next.
    """

    def __init__(self, start: datetime = START, monotonic: float = 1000.0) -> None:
        self._start = start
        self._origin = monotonic
        self._elapsed = 0.0
        self._timers: list[FakeTimer] = []
        self._seq = itertools.count()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def monotonic(self) -> float:
        return self._origin + self._elapsed

    def call_later(self, delay: float, callback: Callable[[], None]) -> FakeTimer:
        timer = FakeTimer(self._elapsed + max(0.0, delay), next(self._seq), callback)
        heapq.heappush(self._timers, timer)
        return timer

    def advance(self, seconds: float) -> None:
        target = self._elapsed + seconds
        # The slack absorbs float noise: a timer 0.1 s away fires when the test advances 0.1 s.
        while self._timers and self._timers[0].when <= target + 1e-9:
            timer = heapq.heappop(self._timers)
            if timer.cancelled:
                continue
            self._elapsed = max(self._elapsed, timer.when)
            timer.callback()
        self._elapsed = target

    @property
    def pending_timers(self) -> int:
        return sum(not t.cancelled for t in self._timers)


# The instant the platform-level tests pin their clock at (a weekday noon, far from period edges).
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
