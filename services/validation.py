"""Input rules shared by every entry point (GraphQL, agents file, ingestion)."""

import re
from datetime import UTC, datetime, timedelta

from services.errors import BadUserInput

AGENT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
_AGENT_NAME = re.compile(AGENT_NAME_PATTERN)
MAX_TOKENS_PER_RUN = 100_000_000
MAX_TEXT = {
    "model": 200,
    "provider": 100,
    "error.type": 200,
    "error.message": 16_384,
    "error.stackTrace": 65_536,
    "traceId": 100,
    "requestId": 200,
}
# Runs may be reported late, but not from before LLMs or from the future beyond clock skew.
EARLIEST_TIMESTAMP = datetime.fromisoformat("2015-01-01T00:00:00+00:00")
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_LATENCY_MS = 7 * 24 * 3600 * 1000.0
# A day inside Python's range, so converting to UTC and ±1 day arithmetic never overflow.
_EARLIEST_REPRESENTABLE = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
_LATEST_REPRESENTABLE = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def representable(value: datetime) -> datetime:
    """`value` unchanged if it converts to UTC safely; ValueError otherwise
    (`0001-01-01T00:00:00+05:00` parses, then fails with "date value out of range")."""
    if value.tzinfo is None:
        return value
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of the representable date range") from None
    if not _EARLIEST_REPRESENTABLE <= in_utc <= _LATEST_REPRESENTABLE:
        raise ValueError("out of the representable date range")
    return value


def agent_name(name: str) -> str:
    if not _AGENT_NAME.match(name):
        raise BadUserInput(
            f"agent name {name[:120]!r} is invalid: 1-100 characters, letters, digits and . _ : -"
            ", starting with a letter or digit",
            field="agent",
        )
    return name


def text(value: str | None, field: str) -> str | None:
    """Text both databases can store: bounded, no NUL (PostgreSQL refuses it), valid Unicode
    (a lone surrogate cannot be encoded for either)."""
    if value is None:
        return None
    if len(value) > MAX_TEXT[field]:
        raise BadUserInput(f"{field} is longer than {MAX_TEXT[field]} characters", field=field)
    if "\x00" in value:
        raise BadUserInput(f"{field} contains a NUL character, which cannot be stored", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadUserInput(
            f"{field} contains a lone surrogate (invalid Unicode)", field=field
        ) from None
    return value


def token_count(value: int, field: str) -> int:
    if not 0 <= value <= MAX_TOKENS_PER_RUN:
        raise BadUserInput(f"{field} must be between 0 and {MAX_TOKENS_PER_RUN}", field=field)
    return value


def latency_ms(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= MAX_LATENCY_MS:
        raise BadUserInput(
            f"latencyMs must be between 0 and {MAX_LATENCY_MS:.0f}", field="latencyMs"
        )
    return value


def timestamp(value: datetime, now: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise BadUserInput(f"{field} needs a UTC offset", field=field)
    if not EARLIEST_TIMESTAMP <= value <= now + MAX_CLOCK_SKEW:
        raise BadUserInput(f"{field} {value.isoformat()} is not a plausible time", field=field)
    return value


def window(since: datetime | None, until: datetime | None) -> None:
    for value, field in ((since, "since"), (until, "until")):
        if value is not None and value.tzinfo is None:
            raise BadUserInput(f"{field} needs a UTC offset", field=field)
    if since is not None and until is not None and since > until:
        raise BadUserInput("`since` must not be after `until`", field="since")
