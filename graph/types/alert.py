"""Alert rules, alerts and their events."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph.context import Context
from graph.enums import AlertEventKind, AlertMetric, AlertStatus, Comparator, Severity
from graph.types.run import PageInfo
from services import alerts as svc
from services.cursors import encode_cursor


@strawberry.type(description="A threshold on a metric over a sliding window.")
class AlertRule:
    id: strawberry.ID = strawberry.field(description="Rule id.")
    name: str = strawberry.field(description="Shown in alerts and notifications.")
    agent: str | None = strawberry.field(description="Agent watched; null = all together.")
    metric: AlertMetric = strawberry.field(description="What is measured.")
    comparator: Comparator = strawberry.field(description="How it is compared.")
    threshold: float = strawberry.field(description="The limit.")
    window_seconds: int = strawberry.field(
        description="Sliding window; also the auto-resolve quiet period."
    )
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
            id=strawberry.ID(str(rule.id)),
            name=rule.name,
            agent=rule.agent,
            metric=rule.metric,
            comparator=rule.comparator,
            threshold=rule.threshold,
            window_seconds=rule.window_seconds,
            min_samples=rule.min_samples,
            severity=rule.severity,
            enabled=rule.enabled,
            webhook_url=rule.webhook_url,
            created_at=rule.created_at,
            updated_at=rule.updated_at,
        )


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
        return cls(
            kind=e.kind,
            at=e.at,
            value=e.value,
            note=e.note,
            automatic=e.automatic,
            delivery=delivery,
        )


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
        return self.record.status

    @strawberry.field(description="Severity.")
    def severity(self) -> Severity:
        return self.record.severity

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
        events = await info.context.alert_events.load(self.record.id)
        return [AlertEvent.from_event(e) for e in events]


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
        edges = [
            AlertEdge(cursor=encode_cursor(a.fired_at, str(a.id)), node=Alert(record=a))
            for a in page.alerts
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
        )
