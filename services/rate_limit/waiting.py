"""Clock-driven timers and the gate a queued caller waits at.

Limiters never sleep: they schedule a callback on `Timers` that opens the caller's gate. In
production that is the event loop (`LoopTimers`); tests pass a fake clock whose `advance()`
fires the callbacks, so waiting is deterministic and instant.
"""

import asyncio
from collections.abc import Callable
from typing import Protocol


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Timers(Protocol):
    """Runs `callback` once, `delay` seconds from now on the limiter's clock."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle: ...


class LoopTimers:
    """Timers of the running event loop, whose clock is `time.monotonic` like `SystemClock`."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> TimerHandle:
        return asyncio.get_running_loop().call_later(delay, callback)


class Gate:
    """One queued caller's wait: the limiter opens it (admitted) or fails it (refused).

    `schedule(delay, on_due)` arms a single timer, replacing any earlier one; a delay of 0 or
    less runs `on_due` on the next loop iteration rather than inside the caller's frame.
    """

    def __init__(self, timers: Timers) -> None:
        self._timers = timers
        self._timer: TimerHandle | None = None
        self.future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def schedule(self, delay: float, on_due: Callable[[], None]) -> None:
        self.cancel_timer()
        if delay > 0:
            self._timer = self._timers.call_later(delay, on_due)
        else:
            self._timer = asyncio.get_running_loop().call_soon(on_due)

    def cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def open(self, value: bool = True) -> None:
        self.cancel_timer()
        if not self.future.done():
            self.future.set_result(value)

    def fail(self, error: BaseException) -> None:
        self.cancel_timer()
        if not self.future.done():
            self.future.set_exception(error)

    def settled(self) -> bool:
        """Opened, failed, or given up by its caller (cancelling a task cancels its gate)."""
        return self.future.done()

    def decided(self) -> bool:
        """Opened or failed by the limiter, as opposed to undecided or abandoned."""
        return self.future.done() and not self.future.cancelled()

    def refused(self) -> bool:
        """Failed by the limiter (reading the stored error so it never goes unretrieved)."""
        return self.decided() and self.future.exception() is not None
