"""A token bucket per client for `recordRun`, separate from the per-agent limits.

It protects this process (its writer queue and database) from one noisy reporter, so it
lives in memory: each process guards its own capacity, and a check costs no network round
trip on the hottest path of the API. It never queues: a call over the limit is refused at
once with the wait that would have made it fit.
"""

from collections import OrderedDict
from dataclasses import dataclass

from services.clock import Clock
from services.rate_limit.errors import RateLimited, retry_after_ms

DEFAULT_MAX_CLIENTS = 10_000
# Float slack: ten refills of 0.1 token must make a whole token, not 0.9999999999999999.
EPSILON = 1e-9


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class IngestionLimiter:
    """`requests_per_second` sustained, `burst` at once, per client key.

    Memory is bounded: buckets idle long enough to be full again are dropped (forgetting
    them changes nothing), and beyond `max_clients` the least recently seen client is
    dropped (it simply starts again with a full bucket).
    """

    def __init__(
        self,
        requests_per_second: float,
        burst: int,
        clock: Clock,
        max_clients: int = DEFAULT_MAX_CLIENTS,
    ) -> None:
        if not requests_per_second > 0:
            raise ValueError("requests_per_second must be > 0")
        if burst < 1 or max_clients < 1:
            raise ValueError("burst and max_clients must be >= 1")
        self._rate = float(requests_per_second)
        self._burst = burst
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently seen first

    def check(self, client_key: str) -> None:
        """Take one token for `client_key` or raise `RateLimited` (code RATE_LIMITED)."""
        now = self._clock.monotonic()
        self._forget_idle(now)
        bucket = self._buckets.pop(client_key, None) or _Bucket(float(self._burst), now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[client_key] = bucket
        if len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1 - EPSILON:
            wait_ms = retry_after_ms((1 - bucket.tokens) / self._rate)
            raise RateLimited(
                f"too many recordRun calls from this client; retry in {wait_ms} ms",
                retry_after_ms=wait_ms,
                reason="INGESTION",
            )
        bucket.tokens = max(0.0, bucket.tokens - 1)

    def __len__(self) -> int:
        """Clients currently remembered."""
        return len(self._buckets)

    def _forget_idle(self, now: float) -> None:
        full_after = self._burst / self._rate
        while self._buckets:
            oldest = next(iter(self._buckets.values()))
            if now - oldest.updated < full_after:
                return
            self._buckets.popitem(last=False)
