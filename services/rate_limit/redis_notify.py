"""Wake this process's callers waiting for a concurrency slot when any process frees one."""

import asyncio
import contextlib
import logging
from collections import defaultdict

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.rate_limit.waiting import Gate

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 0.5


class ReleaseNotifier:
    """One pub/sub subscription per process; a message names the agent whose slot freed.

    Waiters register a `Gate` with `watch` and are opened on the next release of their agent.
    Messages can be lost (Redis restarts, slow consumers), so waiters also re-check on their
    own from time to time; the notifier only makes the common case prompt.
    """

    def __init__(self, client: "Redis", channel: str) -> None:
        self._client = client
        self._channel = channel
        self._watchers: defaultdict[str, set[Gate]] = defaultdict(set)
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Subscribe once (idempotent); raises the Redis error if Redis is unreachable."""
        async with self._lock:
            if self._task is not None:
                return
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
            except BaseException:
                await pubsub.aclose()  # type: ignore[no-untyped-call]
                raise
            self._pubsub = pubsub
            self._task = asyncio.create_task(self._listen(pubsub), name="rate-limit-releases")

    def watch(self, agent: str, gate: Gate) -> None:
        self._watchers[agent].add(gate)

    def unwatch(self, agent: str, gate: Gate) -> None:
        gates = self._watchers.get(agent)
        if gates is not None:
            gates.discard(gate)
            if not gates:
                del self._watchers[agent]

    def wake(self, agent: str) -> None:
        for gate in list(self._watchers.get(agent, ())):
            gate.open()

    def wake_all(self) -> None:
        for agent in list(self._watchers):
            self.wake(agent)

    async def close(self) -> None:
        self.wake_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._pubsub is not None:
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None

    async def _listen(self, pubsub: PubSub) -> None:
        connected = True
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except REDIS_DOWN as exc:
                # redis-py reconnects and re-subscribes on the next read; until then, let the
                # waiters look for themselves (they will meet the error and act on it).
                if connected:
                    log.warning("rate limit release channel lost, retrying: %s", exc)
                connected = False
                self.wake_all()
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if not connected:
                log.info("rate limit release channel restored")
                connected = True
            if message is not None and message.get("type") == "message":
                data = message["data"]
                self.wake(data.decode() if isinstance(data, bytes) else str(data))
