"""Alerting: rules over run metrics, the alert lifecycle, webhooks and live push."""

from services.alerts.manager import AlertChanged, AlertManager
from services.alerts.rules import AlertRule, Comparator, Metric, Severity
from services.alerts.store import (
    Alert,
    AlertAlreadyResolved,
    AlertEvent,
    AlertNotFound,
    AlertPage,
    AlertStatus,
    EventKind,
    events_by_alert,
    get_alert,
    list_alerts,
)
from services.alerts.webhooks import WebhookNotifier

__all__ = [
    "Alert",
    "AlertAlreadyResolved",
    "AlertChanged",
    "AlertEvent",
    "AlertManager",
    "AlertNotFound",
    "AlertPage",
    "AlertRule",
    "AlertStatus",
    "Comparator",
    "EventKind",
    "Metric",
    "Severity",
    "WebhookNotifier",
    "events_by_alert",
    "get_alert",
    "list_alerts",
]
