"""Resolvers for alert rules, alerts, and the alertChanged feed."""

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from graph.context import Context
from graph.enums import AlertStatus
from graph.inputs import AlertRuleInput
from graph.types.alert import Alert, AlertConnection, AlertRule
from services import alerts as svc
from services.alerts import AlertChanged
from services.errors import AgentNotFound, BadUserInput
from services.validation import agent_name

Info = strawberry.Info[Context, Any]


def _is_int_id(value: strawberry.ID) -> bool:
    return str(value).isdigit() and len(str(value)) <= 18


def _int_id(value: strawberry.ID, what: str) -> int:
    if not _is_int_id(value):
        raise BadUserInput(f"{what} id must be a positive integer", field="id")
    return int(value)


def _rule(info: Info, data: AlertRuleInput) -> svc.AlertRule:
    if data.agent is not None and not info.context.platform.registry.is_known(
        agent_name(data.agent)
    ):
        raise AgentNotFound(f"no agent named {data.agent[:100]!r}", agent=data.agent)
    return svc.AlertRule(
        name=data.name,
        agent=data.agent,
        metric=data.metric,
        comparator=data.comparator,
        threshold=data.threshold,
        window_seconds=data.window_seconds,
        min_samples=data.min_samples,
        severity=data.severity,
        enabled=data.enabled,
        webhook_url=data.webhook_url,
    )


async def alert_rules(info: Info) -> list[AlertRule]:
    rules = sorted(info.context.platform.alerts.rules.values(), key=lambda x: x.id or 0)
    return [AlertRule.from_rule(rule) for rule in rules]


async def create_alert_rule(info: Info, input: AlertRuleInput) -> AlertRule:
    created = await info.context.platform.alerts.create_rule(_rule(info, input))
    return AlertRule.from_rule(created)


async def update_alert_rule(info: Info, id: strawberry.ID, input: AlertRuleInput) -> AlertRule:
    updated = await info.context.platform.alerts.update_rule(
        _int_id(id, "rule"), _rule(info, input)
    )
    return AlertRule.from_rule(updated)


async def delete_alert_rule(info: Info, id: strawberry.ID) -> bool:
    await info.context.platform.alerts.delete_rule(_int_id(id, "rule"))
    return True


async def alerts(
    info: Info,
    status: AlertStatus | None = None,
    agent: str | None = None,
    first: int = 50,
    after: str | None = None,
) -> AlertConnection:
    page = await info.context.platform.alerts.page(status, agent, first, after)
    return AlertConnection.from_page(page)


async def alert(info: Info, id: strawberry.ID) -> Alert | None:
    if not _is_int_id(id):
        return None
    found = await info.context.platform.alerts.get(int(id))
    return None if found is None else Alert(record=found)


def _note(note: str | None) -> str | None:
    if note is not None and len(note) > 2000:
        raise BadUserInput("note is longer than 2000 characters", field="note")
    return note


async def acknowledge_alert(info: Info, id: strawberry.ID, note: str | None = None) -> Alert:
    acked = await info.context.platform.alerts.acknowledge(_int_id(id, "alert"), _note(note))
    return Alert(record=acked)


async def resolve_alert(info: Info, id: strawberry.ID, note: str | None = None) -> Alert:
    resolved = await info.context.platform.alerts.resolve(_int_id(id, "alert"), _note(note))
    return Alert(record=resolved)


async def alert_changed(info: Info, agent: str | None = None) -> AsyncGenerator[Alert, None]:
    def wanted(event: AlertChanged) -> bool:
        return agent is None or event.alert.agent == agent

    async with info.context.platform.alert_changes.subscribe(wanted) as subscription:
        async for event in subscription:
            yield Alert(record=event.alert)
