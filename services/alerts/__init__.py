"""Alerting: rules over run metrics, the alert lifecycle, webhooks and live push."""
