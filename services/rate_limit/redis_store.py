"""Typed operations on the agents' shared limiter state in Redis, each one atomic.

Each method is a single Lua script or pipeline (see `redis_scripts.py` for the key layout
and the scripts' contracts); Redis errors propagate for the limiter to handle.
"""

from dataclasses import dataclass
from uuid import uuid4

from redis.asyncio import Redis

from services.rate_limit.counters import WINDOW_SECONDS, count_last_hour
from services.rate_limit.errors import Reason
from services.rate_limit.policy import ResolvedPolicy
from services.rate_limit.redis_scripts import (
    ADMITTED,
    REFUSED_RATE,
    REJECTION_BUCKET_TTL_S,
    AgentKeys,
    Scripts,
)


@dataclass(frozen=True, slots=True)
class Reservation:
    """A reserved slot `wait_ms` away taken from bucket `epoch`, or a refusal and its wait."""

    refused: Reason | None
    wait_ms: float
    epoch: str


@dataclass(frozen=True, slots=True)
class LeaseReply:
    status: int  # redis_scripts.GRANTED, WAITING, TIMED_OUT or LINE_FULL
    first_expiry_ms: float | None  # when the oldest lease lapses, if any is held


@dataclass(frozen=True, slots=True)
class SharedCounts:
    tat_ms: float | None
    queued: int
    leased: int
    rejected_last_hour: int
    rejected_total: int


class SharedState:
    """One agent's bucket, queue, line, leases and counters, under `prefix` in Redis."""

    def __init__(self, client: "Redis", prefix: str) -> None:
        self._client = client
        self._prefix = prefix
        self._scripts = Scripts(client)
        self.channel = f"{prefix}released"

    def keys(self, agent: str) -> AgentKeys:
        return AgentKeys(self._prefix, agent)

    async def reserve(
        self, agent: str, policy: ResolvedPolicy, caller_id: str, arrival_ms: float, now_ms: float
    ) -> Reservation:
        """Reserve the caller's GCRA slot, queueing it if it must wait (see RESERVE)."""
        keys, deadline = self.keys(agent), arrival_ms + policy.max_queue_ms
        args: list[str | float] = [
            now_ms,
            policy.interval * 1000,
            policy.tolerance * 1000,
            deadline - now_ms,
            policy.max_queue_length,
            caller_id,
            deadline,
            new_epoch(),
        ]
        status, wait, epoch = await self._scripts.reserve([keys.gcra, keys.queue], args)
        refused: Reason | None = None
        if int(status) != ADMITTED:
            refused = "RATE" if int(status) == REFUSED_RATE else "QUEUE_FULL"
        return Reservation(refused, float(wait), str(epoch))

    async def give_back(self, agent: str, epoch: str, interval_ms: float, caller_id: str) -> None:
        keys = self.keys(agent)
        await self._scripts.give_back([keys.gcra, keys.queue], [epoch, interval_ms, caller_id])

    async def reset(self, agent: str, fingerprint: str) -> str:
        """Start a fresh bucket unless `fingerprint` set the current one; its epoch."""
        epoch, _ = await self._scripts.configure(
            [self.keys(agent).gcra], [fingerprint, new_epoch()]
        )
        return str(epoch)

    async def lease(
        self,
        agent: str,
        policy: ResolvedPolicy,
        caller_id: str,
        arrival_ms: float,
        now_ms: float,
        lease_ms: float,
    ) -> LeaseReply:
        """Take a concurrency slot or a place in line for it (see LEASE)."""
        keys = self.keys(agent)
        args: list[str | float] = [
            now_ms,
            policy.max_concurrent or 0,
            now_ms + lease_ms,
            caller_id,
            arrival_ms + policy.max_queue_ms,
            policy.max_queue_length,
        ]
        status, first = await self._scripts.lease(
            [keys.leases, keys.queue, keys.line, keys.seq], args
        )
        return LeaseReply(int(status), float(first) if first else None)

    async def leave(self, agent: str, caller_id: str) -> None:
        """Drop the caller's lease, place in line or queue entry, and announce a release."""
        keys = self.keys(agent)
        await self._scripts.leave(
            [keys.leases, keys.line, keys.queue], [caller_id, self.channel, agent]
        )

    async def count_rejection(self, agent: str, now_ms: float) -> None:
        keys, second = self.keys(agent), int(now_ms // 1000)
        bucket = keys.rejected_bucket(second // 60)
        pipe = self._client.pipeline(transaction=False)
        pipe.hincrby(bucket, str(second), 1)
        pipe.expire(bucket, REJECTION_BUCKET_TTL_S)
        pipe.incr(keys.rejected_total)
        await pipe.execute()

    async def counts(self, agent: str, now_ms: float) -> SharedCounts:
        """Everything `status` needs, in one round trip."""
        keys, second = self.keys(agent), int(now_ms // 1000)
        pipe = self._client.pipeline(transaction=False)
        pipe.hget(keys.gcra, "tat")
        pipe.zcount(keys.queue, f"({now_ms!r}", "+inf")
        pipe.zcount(keys.leases, f"({now_ms!r}", "+inf")
        pipe.get(keys.rejected_total)
        for minute in range((second - WINDOW_SECONDS + 1) // 60, second // 60 + 1):
            pipe.hgetall(keys.rejected_bucket(minute))
        tat, queued, leased, total, *buckets = await pipe.execute()
        seconds = ((int(s), int(n)) for bucket in buckets for s, n in bucket.items())
        return SharedCounts(
            tat_ms=None if tat is None else float(tat),
            queued=int(queued),
            leased=int(leased),
            rejected_last_hour=count_last_hour(seconds, second),
            rejected_total=int(total or 0),
        )


def new_epoch() -> str:
    """A bucket id no other process will pick."""
    return uuid4().hex
