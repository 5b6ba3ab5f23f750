"""Alert rules, alerts and their events."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph.context import Context
from graph.types.run import PageInfo
from services import alerts as svc
from services.cursors import encode_cursor


@strawberry.enum(description="What a rule measures over its window.")
class AlertMetric(Enum):
    ERROR_RATE = strawberry.enum_value("ERROR_RATE", description="Failed / finished runs (0..1).")
    LATENCY_P95_MS = strawberry.enum_value("LATENCY_P95_MS", description="Exact p95 latency.")
    LATENCY_P99_MS = strawberry.enum_value("LATENCY_P99_MS", description="Exact p99 latency.")
    COST_USD = strawberry.enum_value("COST_USD", description="Cost of the window's runs.")
    DAILY_BUDGET_USED = strawberry.enum_value(
        "DAILY_BUDGET_USED", description="Fraction of today's budget used (window ignored)."
    )
    MONTHLY_BUDGET_USED = strawberry.enum_value(
        "MONTHLY_BUDGET_USED", description="Fraction of the month's budget used."
    )
    CONSECUTIVE_FAILURES = strawberry.enum_value(
        "CONSECUTIVE_FAILURES", description="Failed runs since the last success."
    )
    RUN_COUNT = strawberry.enum_value("RUN_COUNT", description="Runs started in the window.")


@strawberry.enum(description="How the metric is compared with the threshold.")
class Comparator(Enum):
    GT = strawberry.enum_value("GT", description="value > threshold")
    GTE = strawberry.enum_value("GTE", description="value >= threshold")
    LT = strawberry.enum_value("LT", description="value < threshold")
    LTE = strawberry.enum_value("LTE", description="value <= threshold")


@strawberry.enum(description="How bad it is.")
class Severity(Enum):
    INFO = strawberry.enum_value("INFO", description="Worth knowing.")
    WARNING = strawberry.enum_value("WARNING", description="Needs attention.")
    CRITICAL = strawberry.enum_value("CRITICAL", description="Needs attention now.")


@strawberry.enum(description="Where an alert is in its lifecycle.")
class AlertStatus(Enum):
    FIRING = strawberry.enum_value("FIRING", description="Breached and not acknowledged.")
    ACKNOWLEDGED = strawberry.enum_value("ACKNOWLEDGED", description="Someone is on it.")
    RESOLVED = strawberry.enum_value("RESOLVED", description="Closed, by hand or automatically.")


@strawberry.enum(description="What happened to an alert.")
class AlertEventKind(Enum):
    FIRED = strawberry.enum_value("FIRED", description="The alert opened.")
    UPDATED = strawberry.enum_value("UPDATED", description="Its current value changed.")
    ACKNOWLEDGED = strawberry.enum_value("ACKNOWLEDGED", description="Acknowledged by hand.")
    RESOLVED = strawberry.enum_value("RESOLVED", description="Resolved (see `automatic`).")


@strawberry.type(description="A threshold on a metric over a sliding window.")
class AlertRule:
    id: strawberry.ID = strawberry.field(description="Rule id.")
    name: str = strawberry.field(description="Shown in alerts and notifications.")
    agent: str | None = strawberry.field(description="Agent watched; null = all together.")
    metric: AlertMetric = strawberry.field(description="What is measured.")
    comparator: Comparator = strawberry.field(description="How it is compared.")
    threshold: float = strawberry.field(description="The limit.")
    window_seconds: int = strawberry.field(description="Sliding window; also the auto-resolve "
                                           "quiet period.")  # fmt: skip
    min_samples: int = strawberry.field(
        description="Finished runs needed before ERROR_RATE, latency and COST_USD can fire."
    )
    severity: Severity = strawberry.field(description="Severity of its alerts.")
    enabled: bool = strawberry.field(description="Disabled rules are not evaluated.")
    webhook_url: str | None = strawberry.field(description="Notified on fire and resolve.")
    created_at: datetime = strawberry.field(description="Created.")
    updated_at: datetime = strawberry.field(description="Last changed.")

    @classmethod
    def from_rule(cls, rule: svc.AlertRule) -> "AlertRule":
        assert rule.id is not None and rule.created_at and rule.updated_at
        return cls(
            id=strawberry.ID(str(rule.id)), name=rule.name, agent=rule.agent,
            metric=AlertMetric(rule.metric.value), comparator=Comparator(rule.comparator.value),
            threshold=rule.threshold, window_seconds=rule.window_seconds,
            min_samples=rule.min_samples, severity=Severity(rule.severity.value),
            enabled=rule.enabled, webhook_url=rule.webhook_url, created_at=rule.created_at,
            updated_at=rule.updated_at,
        )  # fmt: skip


@strawberry.type(description="One transition or value update of an alert.")
class AlertEvent:
    kind: AlertEventKind = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When.")
    value: float | None = strawberry.field(description="The metric's value then.")
    note: str | None = strawberry.field(description="Note given by hand, or why it resolved.")
    automatic: bool = strawberry.field(description="Done by AgentWatch rather than a person.")
    delivery: JSON | None = strawberry.field(
        description="Webhook outcome: url, status (RETRYING/DELIVERED/FAILED), attempts, "
        "statusCode, error."
    )

    @classmethod
    def from_event(cls, e: svc.AlertEvent) -> "AlertEvent":
        delivery: Any = e.delivery
        return cls(kind=AlertEventKind(e.kind.value), at=e.at, value=e.value, note=e.note,
                   automatic=e.automatic, delivery=delivery)  # fmt: skip


@strawberry.type(description="An alert from firing to resolution.")
class Alert:
    record: strawberry.Private[svc.Alert]

    @strawberry.field(description="Alert id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    @strawberry.field(description="The rule; null once the rule is deleted.")
    def rule(self, info: strawberry.Info[Context, Any]) -> AlertRule | None:
        rule = info.context.platform.alerts.rules.get(self.record.rule_id or -1)
        return None if rule is None else AlertRule.from_rule(rule)

    @strawberry.field(description="The rule's name when the alert fired.")
    def rule_name(self) -> str:
        return self.record.rule_name

    @strawberry.field(description="Agent concerned; null = all agents together.")
    def agent(self) -> str | None:
        return self.record.agent

    @strawberry.field(description="Lifecycle status.")
    def status(self) -> AlertStatus:
        return AlertStatus(self.record.status.value)

    @strawberry.field(description="Severity.")
    def severity(self) -> Severity:
        return Severity(self.record.severity.value)

    @strawberry.field(description="What is wrong, in words.")
    def message(self) -> str:
        return self.record.message

    @strawberry.field(description="Current (or last) value of the metric.")
    def value(self) -> float | None:
        return self.record.value

    @strawberry.field(description="The rule's threshold.")
    def threshold(self) -> float:
        return self.record.threshold

    @strawberry.field(description="When it fired.")
    def fired_at(self) -> datetime:
        return self.record.fired_at

    @strawberry.field(description="When it was acknowledged.")
    def acknowledged_at(self) -> datetime | None:
        return self.record.acknowledged_at

    @strawberry.field(description="When it was resolved.")
    def resolved_at(self) -> datetime | None:
        return self.record.resolved_at

    @strawberry.field(description="Its history, oldest first.")
    async def events(self, info: strawberry.Info[Context, Any]) -> list[AlertEvent]:
        grouped = await svc.events_by_alert(info.context.platform.engine, [self.record.id])
        return [AlertEvent.from_event(e) for e in grouped.get(self.record.id, [])]


@strawberry.type(description="An alert and its cursor.")
class AlertEdge:
    cursor: str = strawberry.field(description="Opaque keyset cursor.")
    node: Alert = strawberry.field(description="The alert.")


@strawberry.type(description="A page of alerts, newest first.")
class AlertConnection:
    edges: list[AlertEdge] = strawberry.field(description="The alerts on this page.")
    page_info: PageInfo = strawberry.field(description="Where the next page starts.")

    @classmethod
    def from_page(cls, page: svc.AlertPage) -> "AlertConnection":
        edges = [AlertEdge(cursor=encode_cursor(a.fired_at, str(a.id)), node=Alert(record=a))
                 for a in page.alerts]  # fmt: skip
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
        )
