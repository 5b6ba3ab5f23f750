"""The recordRun ingestion limit: a token bucket per client that refuses at once, never queues,
and forgets clients so its memory stays bounded."""

import pytest

from services.rate_limit import IngestionLimiter, RateLimited
from tests.support.clock import FakeClock


def test_burst_then_refusal_with_exact_retry_after() -> None:
    clock = FakeClock()
    limiter = IngestionLimiter(requests_per_second=2, burst=3, clock=clock)
    for _ in range(3):
        limiter.check("client-a")
    with pytest.raises(RateLimited) as refused:
        limiter.check("client-a")
    assert refused.value.code == "RATE_LIMITED"
    assert refused.value.retry_after_ms == 500 == refused.value.extensions["retryAfterMs"]
    assert refused.value.reason == "INGESTION"
    clock.advance(0.2)
    with pytest.raises(RateLimited) as refused:
        limiter.check("client-a")
    assert refused.value.retry_after_ms == 300  # refusals take nothing
    clock.advance(0.3)
    limiter.check("client-a")


def test_clients_are_limited_independently() -> None:
    limiter = IngestionLimiter(requests_per_second=1, burst=1, clock=FakeClock())
    limiter.check("a")
    limiter.check("b")
    with pytest.raises(RateLimited):
        limiter.check("a")


def test_sustained_rate_is_exact() -> None:
    clock = FakeClock()
    limiter = IngestionLimiter(requests_per_second=10, burst=1, clock=clock)
    admitted = 0
    for _ in range(1000):  # 10 s in steps of 10 ms
        try:
            limiter.check("a")
            admitted += 1
        except RateLimited:
            pass
        clock.advance(0.01)
    assert admitted == 100


def test_idle_clients_are_forgotten_and_memory_is_bounded() -> None:
    clock = FakeClock()
    limiter = IngestionLimiter(requests_per_second=1, burst=5, clock=clock, max_clients=100)
    for n in range(1000):
        limiter.check(f"client-{n}")
    assert len(limiter) == 100  # least recently seen dropped beyond the cap
    clock.advance(5)  # long enough for every bucket to be full again
    limiter.check("newcomer")
    assert len(limiter) == 1


def test_a_busy_client_is_not_forgotten_while_it_matters() -> None:
    clock = FakeClock()
    limiter = IngestionLimiter(requests_per_second=1, burst=2, clock=clock, max_clients=10)
    limiter.check("busy")
    limiter.check("busy")
    clock.advance(1.5)  # not yet full again: its debt must be remembered
    limiter.check("other")
    limiter.check("busy")
    with pytest.raises(RateLimited):
        limiter.check("busy")


@pytest.mark.parametrize(
    ("rate", "burst", "max_clients"), [(0, 1, 1), (float("nan"), 1, 1), (1, 0, 1), (1, 1, 0)]
)
def test_invalid_settings(rate: float, burst: int, max_clients: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        IngestionLimiter(rate, burst, FakeClock(), max_clients=max_clients)
