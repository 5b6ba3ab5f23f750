"""The generic cell rate algorithm (GCRA), reservation style, as pure functions of time.

State is one number, the theoretical arrival time `tat` (seconds on the limiter's clock). A
caller at `now` may start at `max(now, tat - tau)`; reserving that start moves `tat` to
`max(tat, now) + T`. Because every caller reserves before it waits, callers are served in
arrival order and each one's wait is known exactly when it arrives. Returning an unused
reservation moves `tat` back by `T`. `tat = -inf` is a fresh, full bucket.

The Redis backend runs the same arithmetic in Lua (`redis_scripts.py`), in milliseconds.
"""

import math

from services.rate_limit.policy import ResolvedPolicy

FRESH = -math.inf
# Float slack: n reservations of T must fit a tolerance of (n - 1) * T exactly, even when T
# (say 1/3 s) is not representable and the sums carry rounding noise.
EPSILON = 1e-9


def wait_for(tat: float, now: float, policy: ResolvedPolicy) -> float:
    """Seconds a caller arriving at `now` must wait for its slot (0 = may start now)."""
    wait = tat - policy.tolerance - now
    return wait if wait > EPSILON else 0.0


def reserve(tat: float, now: float, policy: ResolvedPolicy) -> float:
    """The new `tat` once a caller arriving at `now` has reserved its slot."""
    return max(tat, now) + policy.interval


def available(tat: float, now: float, policy: ResolvedPolicy) -> int:
    """Calls that could start at `now` without waiting, between 0 and `burst`."""
    if tat <= now:
        return policy.burst
    free = math.floor((now + policy.tolerance - tat) / policy.interval + EPSILON) + 1
    return max(0, min(policy.burst, free))
