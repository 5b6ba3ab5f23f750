"""Alert and alert-event records, and the queries the API needs (keyset pages, events)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.tables import alert_table, event_table
from services.alerts.rules import Comparator, Metric, Severity
from services.cursors import decode_cursor
from services.errors import AgentWatchError, BadUserInput

MAX_PAGE_SIZE = 500


class AlertNotFound(AgentWatchError):
    code = "ALERT_NOT_FOUND"


class AlertAlreadyResolved(AgentWatchError):
    code = "ALERT_ALREADY_RESOLVED"


class AlertStatus(StrEnum):
    FIRING = "FIRING"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class EventKind(StrEnum):
    FIRED = "FIRED"
    UPDATED = "UPDATED"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


@dataclass(frozen=True)
class AlertEvent:
    id: int
    alert_id: int
    kind: EventKind
    at: datetime
    value: float | None
    note: str | None
    automatic: bool
    delivery: dict[str, Any] | None


@dataclass(frozen=True)
class Alert:
    id: int
    rule_id: int | None
    rule_name: str
    agent: str | None
    status: AlertStatus
    severity: Severity
    metric: Metric
    comparator: Comparator
    message: str
    value: float | None
    threshold: float
    fired_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    clear_since: datetime | None


def alert_from_row(row: Any) -> Alert:
    return Alert(
        id=row["id"],
        rule_id=row["rule_id"],
        rule_name=row["rule_name"],
        agent=row["agent"],
        status=AlertStatus(row["status"]),
        severity=Severity(row["severity"]),
        metric=Metric(row["metric"]),
        comparator=Comparator(row["comparator"]),
        message=row["message"],
        value=row["value"],
        threshold=row["threshold"],
        fired_at=row["fired_at"],
        acknowledged_at=row["acknowledged_at"],
        resolved_at=row["resolved_at"],
        clear_since=row["clear_since"],
    )


def event_from_row(row: Any) -> AlertEvent:
    return AlertEvent(
        id=row["id"],
        alert_id=row["alert_id"],
        kind=EventKind(row["kind"]),
        at=row["at"],
        value=row["value"],
        note=row["note"],
        automatic=row["automatic"],
        delivery=row["delivery"],
    )


async def get_alert(conn: AsyncConnection, alert_id: int) -> Alert | None:
    row = await conn.execute(sa.select(alert_table).where(alert_table.c.id == alert_id))
    found = row.mappings().first()
    return None if found is None else alert_from_row(found)


async def open_alert(conn: AsyncConnection, open_key: str) -> Alert | None:
    row = await conn.execute(sa.select(alert_table).where(alert_table.c.open_key == open_key))
    found = row.mappings().first()
    return None if found is None else alert_from_row(found)


async def events_by_alert(
    engine: AsyncEngine, alert_ids: Sequence[int]
) -> dict[int, list[AlertEvent]]:
    grouped: dict[int, list[AlertEvent]] = defaultdict(list)
    if not alert_ids:
        return grouped
    query = (
        sa.select(event_table)
        .where(event_table.c.alert_id.in_(list(alert_ids)))
        .order_by(event_table.c.alert_id, event_table.c.id)
    )
    async with engine.connect() as conn:
        for row in (await conn.execute(query)).mappings():
            grouped[row["alert_id"]].append(event_from_row(row))
    return grouped


@dataclass(frozen=True)
class AlertPage:
    alerts: list[Alert]
    has_next_page: bool


async def list_alerts(
    engine: AsyncEngine,
    status: AlertStatus | None,
    agent: str | None,
    first: int,
    after: str | None,
) -> AlertPage:
    """Newest first, keyset-paginated on (fired_at, id) like runs."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}")
    conds: list[sa.ColumnElement[bool]] = []
    if status is not None:
        conds.append(alert_table.c.status == status.value)
    if agent is not None:
        conds.append(alert_table.c.agent == agent)
    if after is not None:
        fired, key = decode_cursor(after)
        if not key.isdigit():
            raise BadUserInput("`after` is not a cursor returned by this API")
        conds.append(
            sa.tuple_(alert_table.c.fired_at, alert_table.c.id)
            < sa.tuple_(sa.literal(fired, alert_table.c.fired_at.type), sa.literal(int(key)))
        )
    query = (
        sa.select(alert_table)
        .where(*conds)
        .order_by(alert_table.c.fired_at.desc(), alert_table.c.id.desc())
        .limit(first + 1)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).mappings().all()
    return AlertPage([alert_from_row(r) for r in rows[:first]], len(rows) > first)
