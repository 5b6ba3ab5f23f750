"""Per-agent rate limiting (GCRA with FIFO queuing and a concurrency cap) and the recordRun
ingestion limit. `MemoryRateLimiter` limits one process; `RedisRateLimiter` shares the limits
between processes. Neither imports GraphQL, HTTP or database code; `LimitCounters` persists the
per-minute rejected/queued counts the metrics report.
"""

from services.rate_limit.errors import RateLimited, RateLimiterUnavailable
from services.rate_limit.ingestion import IngestionLimiter
from services.rate_limit.limit_counters import LimitCounters
from services.rate_limit.limiter import Permit, RateLimiter, RateLimitStatus
from services.rate_limit.memory import MemoryRateLimiter
from services.rate_limit.policy import RateLimitPolicy, ResolvedPolicy
from services.rate_limit.redis_backend import RedisRateLimiter
from services.rate_limit.waiting import LoopTimers, Timers

__all__ = [
    "IngestionLimiter",
    "LimitCounters",
    "LoopTimers",
    "MemoryRateLimiter",
    "Permit",
    "RateLimitPolicy",
    "RateLimitStatus",
    "RateLimited",
    "RateLimiter",
    "RateLimiterUnavailable",
    "RedisRateLimiter",
    "ResolvedPolicy",
    "Timers",
]
