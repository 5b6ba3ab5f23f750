"""Alerting: rules over run metrics, the alert lifecycle, webhooks and live push."""

from services.alerts.manager import AlertChanged, AlertManager
from services.alerts.rules import AlertRule, Comparator, Metric, Severity
from services.alerts.store import (
    AlertAlreadyResolved,
    AlertNotFound,
    AlertStatus,
    EventKind,
    events_by_alert,
    list_alerts,
)
from services.alerts.webhooks import WebhookNotifier

__all__ = [
    "AlertAlreadyResolved",
    "AlertChanged",
    "AlertManager",
    "AlertNotFound",
    "AlertRule",
    "AlertStatus",
    "Comparator",
    "EventKind",
    "Metric",
    "Severity",
    "WebhookNotifier",
    "events_by_alert",
    "list_alerts",
]
