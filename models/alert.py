"""Alert rules, alerts (one open per rule and agent) and their event history."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.columns import PortableJSON, UTCDateTime


class AlertRuleRow(SQLModel, table=True):
    """A threshold on a metric over a sliding window, for one agent or all agents together."""

    __tablename__ = "alert_rule"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    agent: str | None = Field(default=None, max_length=100)
    metric: str = Field(max_length=40)
    comparator: str = Field(max_length=4)
    threshold: float
    window_seconds: int
    min_samples: int
    severity: str = Field(max_length=10)
    enabled: bool = True
    webhook_url: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))


class AlertRow(SQLModel, table=True):
    """An alert from firing to resolution. `open_key` is "<rule>:<agent>" while the alert is
    open and NULL once resolved; its unique index makes "one open alert per rule and agent" a
    database guarantee, even with several evaluators."""

    __tablename__ = "alert"
    __table_args__ = (
        sa.Index("ix_alert_fired_at_id", "fired_at", "id"),
        sa.Index("ix_alert_status_fired_at_id", "status", "fired_at", "id"),
        sa.Index("ix_alert_agent_fired_at_id", "agent", "fired_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("alert_rule.id", ondelete="SET NULL")),
    )
    rule_name: str = Field(max_length=200)
    agent: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=12)
    severity: str = Field(max_length=10)
    metric: str = Field(max_length=40)
    comparator: str = Field(max_length=4)
    message: str = Field(sa_type=sa.Text)
    value: float | None = None
    threshold: float
    fired_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    resolved_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    # When the condition was first seen clear while open; auto-resolve after the rule's window.
    clear_since: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    open_key: str | None = Field(default=None, max_length=120, unique=True)


class AlertEventRow(SQLModel, table=True):
    """One transition or value update of an alert, with the webhook delivery outcome."""

    __tablename__ = "alert_event"
    __table_args__ = (sa.Index("ix_alert_event_alert_id_id", "alert_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("alert.id", ondelete="CASCADE"), nullable=False
        )
    )
    kind: str = Field(max_length=20)
    at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    value: float | None = None
    note: str | None = Field(default=None, sa_type=sa.Text)
    automatic: bool = False
    delivery: Any | None = Field(default=None, sa_column=sa.Column(PortableJSON))
