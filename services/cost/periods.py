"""Calendar periods in the configured time zone, as UTC instants for queries."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Periods:
    """Start of today and of this month (local time), and how far the month has run."""

    now: datetime
    day_start: datetime
    month_start: datetime
    next_month_start: datetime

    @classmethod
    def at(cls, now: datetime, zone: ZoneInfo) -> "Periods":
        local = now.astimezone(zone)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        month = day.replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        # Re-attach the zone so DST offsets are those of each wall-clock instant.
        return cls(now, _aware(day, zone), _aware(month, zone), _aware(following, zone))

    @property
    def month_elapsed_fraction(self) -> float:
        total = (self.next_month_start - self.month_start).total_seconds()
        return max(0.0, (self.now - self.month_start).total_seconds()) / total


def _aware(local: datetime, zone: ZoneInfo) -> datetime:
    # In UTC: Python subtracts two datetimes of the same tzinfo as wall-clock times, which
    # would make a month with a DST change an hour too short or long.
    return local.replace(tzinfo=None).replace(tzinfo=zone).astimezone(UTC)
