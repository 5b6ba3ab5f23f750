"""Webhook notifications: one task per delivery, retries with exponential backoff, the outcome
recorded on the alert event. A slow or failing endpoint only ever holds its own task, so it
never blocks evaluation or other deliveries."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.tables import event_table
from services.alerts.store import Alert, EventKind
from services.clock import Clock

log = logging.getLogger(__name__)
MAX_IN_FLIGHT = 200
ICONS = {"FIRED": ":rotating_light:", "RESOLVED": ":white_check_mark:"}


def payload(alert: Alert, kind: EventKind, note: str | None) -> dict[str, Any]:
    """JSON body: the alert, and a Slack-compatible `text` line."""
    scope = alert.agent or "all agents"
    text = (
        f"{ICONS.get(kind.value, '')} [{alert.severity.value}] {alert.rule_name} "
        f"{kind.value} for {scope}: {alert.message}"
    ).strip()
    if note:
        text += f" (note: {note})"
    return {
        "text": text,
        "event": kind.value,
        "alert": {
            "id": str(alert.id),
            "rule": alert.rule_name,
            "agent": alert.agent,
            "status": alert.status.value,
            "severity": alert.severity.value,
            "metric": alert.metric.value,
            "comparator": alert.comparator.value,
            "message": alert.message,
            "value": alert.value,
            "threshold": alert.threshold,
            "firedAt": alert.fired_at.isoformat(),
            "resolvedAt": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


class WebhookNotifier:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        max_attempts: int = 4,
        backoff_seconds: float = 1.0,
        timeout_seconds: float = 5.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, event_id: int, url: str, body: dict[str, Any]) -> None:
        """Schedule a delivery and return at once."""
        if len(self._tasks) >= MAX_IN_FLIGHT:
            log.warning("webhook backlog full; not delivering event %s", event_id)
            task = asyncio.create_task(
                self._record(event_id, url, "FAILED", 0, None, "too many deliveries in flight")
            )
        else:
            task = asyncio.create_task(self._deliver(event_id, url, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, event_id: int, url: str, body: dict[str, Any]) -> None:
        status_code: int | None = None
        error: str | None = None
        for attempt in range(1, self._max_attempts + 1):
            try:
                response = await self._client.post(url, json=body)
                status_code, error = response.status_code, None
                if response.is_success:
                    await self._record(event_id, url, "DELIVERED", attempt, status_code, None)
                    return
                error = f"HTTP {status_code}"
            except httpx.HTTPError as exc:
                status_code, error = None, f"{type(exc).__name__}: {exc}"[:500]
            await self._record(event_id, url, "RETRYING", attempt, status_code, error)
            if attempt < self._max_attempts:
                await self._sleep(self._backoff * 2 ** (attempt - 1))
        await self._record(event_id, url, "FAILED", self._max_attempts, status_code, error)

    async def _record(
        self,
        event_id: int,
        url: str,
        status: str,
        attempts: int,
        status_code: int | None,
        error: str | None,
    ) -> None:
        delivery = {
            "url": url,
            "status": status,
            "attempts": attempts,
            "statusCode": status_code,
            "error": error,
            "at": self._clock.now().isoformat(),
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    sa.update(event_table)
                    .where(event_table.c.id == event_id)
                    .values(delivery=delivery)
                )
        except Exception:
            log.exception("could not record webhook delivery of event %s", event_id)

    async def drain(self) -> None:
        """Wait for in-flight deliveries (tests; wrap in asyncio.timeout to bound it)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        for task in set(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()
