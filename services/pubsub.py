"""In-process publish/subscribe with one bounded queue per subscriber.

`publish` never awaits: it appends to each matching subscriber's queue and, when a queue is
full, drops that subscriber's oldest event. A slow or stuck consumer therefore only loses its
own backlog; the publisher and every other subscriber carry on at full speed.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from services.records import RunRecord

E = TypeVar("E")


@dataclass(frozen=True)
class RunRecorded:
    """A run reached a final status and is stored."""

    run: RunRecord


class Subscription(Generic[E]):
    """One subscriber's bounded mailbox; iterate it to receive events."""

    def __init__(self, maxsize: int, accept: Callable[[E], bool]) -> None:
        self._queue: asyncio.Queue[E] = asyncio.Queue(maxsize=maxsize)
        self.accept = accept
        self.dropped = 0

    def offer(self, event: E) -> None:
        """Enqueue without waiting, evicting the oldest event when full."""
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def get(self) -> E:
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[E]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[E]:
        while True:
            yield await self._queue.get()


class Broker(Generic[E]):
    """Fan-out of events of one type to any number of subscribers."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._queue_size = queue_size
        self._subscribers: set[Subscription[E]] = set()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: E) -> None:
        for subscriber in tuple(self._subscribers):
            if subscriber.accept(event):
                subscriber.offer(event)

    @asynccontextmanager
    async def subscribe(
        self, accept: Callable[[E], bool] = lambda _event: True
    ) -> AsyncIterator[Subscription[E]]:
        """Register a subscriber for the `async with` block; removal is guaranteed on exit,
        including cancellation when a WebSocket closes abruptly."""
        subscription: Subscription[E] = Subscription(self._queue_size, accept)
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)
