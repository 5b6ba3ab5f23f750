"""Per-agent rate limit policies: validated on construction, defaults applied by `resolved()`."""

from dataclasses import dataclass

from services.errors import BadUserInput

MAX_PER_SECONDS = 86_400.0
MAX_QUEUE_MS = 600_000
MAX_QUEUE_LENGTH = 10_000
DEFAULT_MAX_QUEUE_MS = 10_000
DEFAULT_MAX_QUEUE_LENGTH = 100


def _invalid(field: str, rule: str) -> BadUserInput:
    return BadUserInput(f"rateLimit.{field} must be {rule}", field=f"rateLimit.{field}")


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    """`requests` runs per `per_seconds`, as the caller gave it (None = use the default).

    Defaults, applied by `resolved()`: `burst` = `requests`; `max_concurrent` None = no cap;
    `max_queue_ms` = 10 000; `max_queue_length` = 100. Construction raises `BadUserInput`
    naming the first invalid field, so an invalid policy never exists.
    """

    requests: int
    per_seconds: float
    burst: int | None = None
    max_concurrent: int | None = None
    max_queue_ms: int | None = None
    max_queue_length: int | None = None

    def __post_init__(self) -> None:
        if self.requests < 1:
            raise _invalid("requests", ">= 1")
        # `not (a < x <= b)` also catches NaN, which compares false to everything.
        if not self.per_seconds > 0:
            raise _invalid("perSeconds", "> 0")
        if not self.per_seconds <= MAX_PER_SECONDS:
            raise _invalid("perSeconds", f"<= {MAX_PER_SECONDS:g}")
        if self.burst is not None and self.burst < 1:
            raise _invalid("burst", ">= 1")
        if self.max_concurrent is not None and self.max_concurrent < 1:
            raise _invalid("maxConcurrent", ">= 1")
        if self.max_queue_ms is not None and not 0 <= self.max_queue_ms <= MAX_QUEUE_MS:
            raise _invalid("maxQueueMs", f"between 0 and {MAX_QUEUE_MS}")
        if self.max_queue_length is not None and not 0 <= self.max_queue_length <= MAX_QUEUE_LENGTH:
            raise _invalid("maxQueueLength", f"between 0 and {MAX_QUEUE_LENGTH}")

    def resolved(self) -> "ResolvedPolicy":
        """This policy with every default filled in."""
        return ResolvedPolicy(
            requests=self.requests,
            per_seconds=float(self.per_seconds),
            burst=self.requests if self.burst is None else self.burst,
            max_concurrent=self.max_concurrent,
            max_queue_ms=DEFAULT_MAX_QUEUE_MS if self.max_queue_ms is None else self.max_queue_ms,
            max_queue_length=(
                DEFAULT_MAX_QUEUE_LENGTH if self.max_queue_length is None else self.max_queue_length
            ),
            source=self,
        )


@dataclass(frozen=True, slots=True)
class ResolvedPolicy:
    """A policy with defaults applied, plus the GCRA parameters derived from it."""

    requests: int
    per_seconds: float
    burst: int
    max_concurrent: int | None
    max_queue_ms: int
    max_queue_length: int
    source: RateLimitPolicy

    @property
    def interval(self) -> float:
        """GCRA emission interval T in seconds: one run is earned every T."""
        return self.per_seconds / self.requests

    @property
    def tolerance(self) -> float:
        """GCRA tolerance tau in seconds: how far ahead of schedule a burst may run."""
        return (self.burst - 1) * self.interval

    @property
    def max_queue_seconds(self) -> float:
        return self.max_queue_ms / 1000

    def fingerprint(self) -> str:
        """A stable text identity, so processes can tell whether a policy really changed."""
        return (
            f"v1:{self.requests}/{self.per_seconds!r}s:b{self.burst}:c{self.max_concurrent}"
            f":q{self.max_queue_ms}ms/{self.max_queue_length}"
        )


def fingerprint(policy: ResolvedPolicy | None) -> str:
    """Equal for equal policies (None = unlimited); configure resets only on a change."""
    return "unlimited" if policy is None else policy.fingerprint()
