"""Rejection counts over a sliding hour, at one-second resolution and in bounded memory."""

from collections import deque
from collections.abc import Iterable

WINDOW_SECONDS = 3600


def in_window(second: int, now_second: int) -> bool:
    """Whether a rejection during `second` still counts at `now_second` (the last 3600 s)."""
    return now_second - WINDOW_SECONDS < second <= now_second


def count_last_hour(buckets: Iterable[tuple[int, int]], now_second: int) -> int:
    """Sum `(second, count)` buckets that fall in the hour ending at `now_second`."""
    return sum(count for second, count in buckets if in_window(second, now_second))


class RejectionLog:
    """Per-second buckets of one agent's rejections, kept for an hour (at most 3600 buckets).

    `last_hour(now)` is exact to the second: a rejection during second s counts until
    second s + 3600 begins.
    """

    def __init__(self) -> None:
        self._buckets: deque[list[int]] = deque()
        self.total = 0

    def record(self, now: float) -> None:
        second = int(now // 1)
        self.total += 1
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += 1
        else:
            self._buckets.append([second, 1])
        self._expire(second)

    def last_hour(self, now: float) -> int:
        second = int(now // 1)
        self._expire(second)
        return count_last_hour(((s, n) for s, n in self._buckets), second)

    def _expire(self, now_second: int) -> None:
        while self._buckets and not in_window(self._buckets[0][0], now_second):
            self._buckets.popleft()
