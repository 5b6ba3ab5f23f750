"""The alert manager: evaluates rules after runs (coalesced) and on a tick, and moves alerts
through FIRING → ACKNOWLEDGED → RESOLVED, one open alert per rule and agent."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from models.tables import alert_table, event_table
from services.alerts import rules as rule_store
from services.alerts.measure import Reading, measure
from services.alerts.rules import SAMPLED_METRICS, AlertRule
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
    open_alert,
)
from services.alerts.webhooks import WebhookNotifier, payload
from services.clock import Clock
from services.pubsub import Broker
from services.records import RunRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertChanged:
    """An alert was opened, updated, acknowledged or resolved."""

    alert: Alert


class AlertManager:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        zone: ZoneInfo,
        notifier: WebhookNotifier,
        broker: Broker[AlertChanged],
        tick_seconds: float = 15.0,
        coalesce_seconds: float = 0.25,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._zone = zone
        self.notifier = notifier
        self._broker = broker
        self._tick = tick_seconds
        self._coalesce = coalesce_seconds
        self.rules: dict[int, AlertRule] = {}
        self._dirty: set[int] = set()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await rule_store.seed_defaults(self._engine, self._clock.now())
        self.rules = {r.id: r for r in await rule_store.load_rules(self._engine) if r.id}
        self._tasks = [
            asyncio.create_task(self._evaluator(), name="alert-evaluator"),
            asyncio.create_task(self._ticker(), name="alert-tick"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.notifier.close()

    # -- triggers ---------------------------------------------------------------------------
    def on_run(self, run: RunRecord) -> None:
        """Called for every stored finished run: mark the rules it can affect. O(rules), no I/O;
        the evaluator task does the work, so a run is never slowed or failed by alerting."""
        for rule_id, rule in self.rules.items():
            if rule.enabled and (rule.agent is None or rule.agent == run.agent):
                self._dirty.add(rule_id)
        if self._dirty:
            self._wake.set()

    async def _evaluator(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            dirty, self._dirty = self._dirty, set()
            for rule_id in sorted(dirty):
                rule = self.rules.get(rule_id)
                if rule is not None:
                    await self._safe_evaluate(rule)
            # At most one pass per rule every `coalesce_seconds`, whatever the ingest rate.
            await asyncio.sleep(self._coalesce)

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(self._tick)
            await self.evaluate_all()

    async def evaluate_all(self) -> None:
        """Evaluate every enabled rule now (time-based conditions fire and clear without runs)."""
        for rule in list(self.rules.values()):
            if rule.enabled:
                await self._safe_evaluate(rule)

    async def _safe_evaluate(self, rule: AlertRule) -> None:
        try:
            await self.evaluate(rule)
        except Exception:
            log.exception("evaluating alert rule %s failed", rule.id)

    # -- lifecycle --------------------------------------------------------------------------
    async def evaluate(self, rule: AlertRule) -> None:
        now = self._clock.now()
        reading = await measure(self._engine, rule, now, self._zone)
        enough = rule.metric not in SAMPLED_METRICS or reading.samples >= rule.min_samples
        breach = (
            reading.value is not None
            and enough
            and rule.comparator.holds(reading.value, rule.threshold)
        )
        async with self._lock:
            async with self._engine.begin() as conn:
                current = await open_alert(conn, rule.scope_key)
                if breach and current is None:
                    change = await self._fire(conn, rule, reading)
                elif breach and current is not None:
                    change = await self._update(conn, current, rule, reading)
                elif current is not None:
                    change = await self._clear(conn, current, rule, reading)
                else:
                    change = None
            if change is not None:
                self._announce(*change, rule)

    def _message(self, rule: AlertRule, reading: Reading) -> str:
        label = rule.metric.value.lower().replace("_", " ")
        value = "n/a" if reading.value is None else f"{reading.value:.4g}"
        scope = rule.agent or "all agents"
        return (
            f"{label} is {value} ({rule.comparator.symbol} {rule.threshold:g}) for {scope} "
            f"over the last {rule.window_seconds} s"
        )

    async def _fire(
        self, conn: AsyncConnection, rule: AlertRule, reading: Reading
    ) -> tuple[Alert, EventKind, int, str | None] | None:
        now = self._clock.now()
        values = {
            "rule_id": rule.id,
            "rule_name": rule.name,
            "agent": rule.agent,
            "status": AlertStatus.FIRING.value,
            "severity": rule.severity.value,
            "metric": rule.metric.value,
            "comparator": rule.comparator.value,
            "message": self._message(rule, reading),
            "value": reading.value,
            "threshold": rule.threshold,
            "fired_at": now,
            "open_key": rule.scope_key,
        }
        try:
            async with conn.begin_nested():
                alert_id = (
                    await conn.execute(
                        sa.insert(alert_table).values(**values).returning(alert_table.c.id)
                    )
                ).scalar_one()
        except IntegrityError:
            return None  # another instance opened it first: it owns this transition
        event_id = await self._event(conn, alert_id, EventKind.FIRED, reading.value, None, True)
        alert = await get_alert(conn, alert_id)
        assert alert is not None
        return alert, EventKind.FIRED, event_id, None

    async def _update(
        self, conn: AsyncConnection, alert: Alert, rule: AlertRule, reading: Reading
    ) -> tuple[Alert, EventKind, int, str | None] | None:
        if reading.value == alert.value and alert.clear_since is None:
            return None
        message = self._message(rule, reading)
        await conn.execute(
            sa.update(alert_table)
            .where(alert_table.c.id == alert.id)
            .values(value=reading.value, message=message, clear_since=None)
        )
        if reading.value == alert.value:
            return None  # only the clear timer was reset: nothing a client needs to see
        event_id = await self._event(conn, alert.id, EventKind.UPDATED, reading.value, None, True)
        updated = replace(alert, value=reading.value, message=message, clear_since=None)
        return updated, EventKind.UPDATED, event_id, None

    async def _clear(
        self, conn: AsyncConnection, alert: Alert, rule: AlertRule, reading: Reading
    ) -> tuple[Alert, EventKind, int, str | None] | None:
        now = self._clock.now()
        if alert.clear_since is None:
            await conn.execute(
                sa.update(alert_table).where(alert_table.c.id == alert.id).values(clear_since=now)
            )
            return None
        if now - alert.clear_since < timedelta(seconds=rule.window_seconds):
            return None
        note = f"condition clear for {rule.window_seconds} s"
        return await self._resolve(conn, alert, reading.value, note, automatic=True)

    async def _resolve(
        self,
        conn: AsyncConnection,
        alert: Alert,
        value: float | None,
        note: str | None,
        automatic: bool,
    ) -> tuple[Alert, EventKind, int, str | None]:
        now = self._clock.now()
        await conn.execute(
            sa.update(alert_table)
            .where(alert_table.c.id == alert.id)
            .values(status=AlertStatus.RESOLVED.value, resolved_at=now, open_key=None)
        )
        event_id = await self._event(conn, alert.id, EventKind.RESOLVED, value, note, automatic)
        resolved = replace(alert, status=AlertStatus.RESOLVED, resolved_at=now)
        return resolved, EventKind.RESOLVED, event_id, note

    async def _event(
        self,
        conn: AsyncConnection,
        alert_id: int,
        kind: EventKind,
        value: float | None,
        note: str | None,
        automatic: bool,
    ) -> int:
        result = await conn.execute(
            sa.insert(event_table)
            .values(
                alert_id=alert_id,
                kind=kind.value,
                at=self._clock.now(),
                value=value,
                note=note,
                automatic=automatic,
            )
            .returning(event_table.c.id)
        )
        return int(result.scalar_one())

    def _announce(
        self,
        alert: Alert,
        kind: EventKind,
        event_id: int,
        note: str | None,
        rule: AlertRule | None,
    ) -> None:
        self._broker.publish(AlertChanged(alert))
        if rule is not None and rule.webhook_url and kind in (EventKind.FIRED, EventKind.RESOLVED):
            self.notifier.submit(event_id, rule.webhook_url, payload(alert, kind, note))

    # -- by hand ----------------------------------------------------------------------------
    async def acknowledge(self, alert_id: int, note: str | None) -> Alert:
        async with self._lock, self._engine.begin() as conn:
            alert = await self._actionable(conn, alert_id)
            if alert.status is AlertStatus.ACKNOWLEDGED:
                return alert
            now = self._clock.now()
            await conn.execute(
                sa.update(alert_table)
                .where(alert_table.c.id == alert_id)
                .values(status=AlertStatus.ACKNOWLEDGED.value, acknowledged_at=now)
            )
            event_id = await self._event(
                conn, alert_id, EventKind.ACKNOWLEDGED, alert.value, note, False
            )
            acked = replace(alert, status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now)
        self._announce(acked, EventKind.ACKNOWLEDGED, event_id, note, None)
        return acked

    async def resolve(self, alert_id: int, note: str | None) -> Alert:
        async with self._lock:
            async with self._engine.begin() as conn:
                alert = await self._actionable(conn, alert_id)
                change = await self._resolve(conn, alert, alert.value, note, automatic=False)
            self._announce(*change, self.rules.get(alert.rule_id or -1))
        return change[0]

    async def _actionable(self, conn: AsyncConnection, alert_id: int) -> Alert:
        alert = await get_alert(conn, alert_id)
        if alert is None:
            raise AlertNotFound(f"no alert with id {alert_id}", id=str(alert_id))
        if alert.status is AlertStatus.RESOLVED:
            raise AlertAlreadyResolved(f"alert {alert_id} is already resolved", id=str(alert_id))
        return alert

    # -- rules ------------------------------------------------------------------------------
    async def create_rule(self, rule: AlertRule) -> AlertRule:
        created = await rule_store.insert_rule(
            self._engine, rule_store.validate(rule), self._clock.now()
        )
        assert created.id is not None
        self.rules[created.id] = created
        await self._safe_evaluate(created)
        return created

    async def update_rule(self, rule_id: int, rule: AlertRule) -> AlertRule:
        rule = rule_store.validate(rule)
        old = self.rules.get(rule_id)
        await rule_store.update_rule(self._engine, rule_id, rule, self._clock.now())
        updated = next(r for r in await rule_store.load_rules(self._engine) if r.id == rule_id)
        if old is not None and (old.agent, old.metric) != (updated.agent, updated.metric):
            await self._close_open(old, "rule changed what it watches")
        self.rules[rule_id] = updated
        await self._safe_evaluate(updated)
        return updated

    async def delete_rule(self, rule_id: int) -> None:
        rule = self.rules.get(rule_id)
        if rule is not None:
            await self._close_open(rule, "rule deleted")
        await rule_store.delete_rule(self._engine, rule_id)
        self.rules.pop(rule_id, None)

    async def _close_open(self, rule: AlertRule, note: str) -> None:
        async with self._lock:
            async with self._engine.begin() as conn:
                current = await open_alert(conn, rule.scope_key)
                change = (
                    None
                    if current is None
                    else await self._resolve(conn, current, current.value, note, automatic=True)
                )
            if change is not None:
                self._announce(*change, rule)

    def describe(self) -> dict[str, Any]:
        return {"rules": len(self.rules), "pendingEvaluations": len(self._dirty)}

    async def page(
        self, status: AlertStatus | None, agent: str | None, first: int, after: str | None
    ) -> AlertPage:
        """Alerts newest first, keyset-paginated (see `list_alerts`)."""
        return await list_alerts(self._engine, status, agent, first, after)

    async def get(self, alert_id: int) -> Alert | None:
        async with self._engine.connect() as conn:
            return await get_alert(conn, alert_id)

    async def events(self, alert_ids: Sequence[int]) -> dict[int, list[AlertEvent]]:
        """Every given alert's history, oldest first, in one query."""
        return await events_by_alert(self._engine, alert_ids)
