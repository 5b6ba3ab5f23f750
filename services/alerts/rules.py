"""Alert rules: what they watch, their validation, storage, and the defaults of a first start."""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.tables import rule_table, setting_table
from services.errors import AgentWatchError, BadUserInput
from services.validation import agent_name

DEFAULTS_SEEDED_KEY = "alerts.defaultRulesSeeded"
MAX_WINDOW_SECONDS = 31 * 24 * 3600


class AlertRuleNotFound(AgentWatchError):
    code = "ALERT_RULE_NOT_FOUND"


class Metric(StrEnum):
    ERROR_RATE = "ERROR_RATE"
    LATENCY_P95_MS = "LATENCY_P95_MS"
    LATENCY_P99_MS = "LATENCY_P99_MS"
    COST_USD = "COST_USD"
    DAILY_BUDGET_USED = "DAILY_BUDGET_USED"
    MONTHLY_BUDGET_USED = "MONTHLY_BUDGET_USED"
    CONSECUTIVE_FAILURES = "CONSECUTIVE_FAILURES"
    RUN_COUNT = "RUN_COUNT"


# Metrics computed from the runs in the window, where minSamples (finished runs) applies.
SAMPLED_METRICS = {Metric.ERROR_RATE, Metric.LATENCY_P95_MS, Metric.LATENCY_P99_MS, Metric.COST_USD}


class Comparator(StrEnum):
    GT = "GT"
    GTE = "GTE"
    LT = "LT"
    LTE = "LTE"

    def holds(self, value: float, threshold: float) -> bool:
        return {
            Comparator.GT: value > threshold,
            Comparator.GTE: value >= threshold,
            Comparator.LT: value < threshold,
            Comparator.LTE: value <= threshold,
        }[self]

    @property
    def symbol(self) -> str:
        return {"GT": ">", "GTE": ">=", "LT": "<", "LTE": "<="}[self.value]


class Severity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"


@dataclass(frozen=True)
class AlertRule:
    """`agent=None` watches all agents together."""

    name: str
    metric: Metric
    comparator: Comparator
    threshold: float
    window_seconds: int = 300
    min_samples: int = 1
    severity: Severity = Severity.WARNING
    enabled: bool = True
    agent: str | None = None
    webhook_url: str | None = None
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def scope_key(self) -> str:
        return f"{self.id}:{self.agent or '*'}"


DEFAULT_RULES = (
    AlertRule("High error rate", Metric.ERROR_RATE, Comparator.GT, 0.2, 300, 10),
    AlertRule(
        "Slow responses (p95 over 10 s)", Metric.LATENCY_P95_MS, Comparator.GT, 10_000, 300, 20
    ),
    AlertRule(
        "5 failures in a row",
        Metric.CONSECUTIVE_FAILURES,
        Comparator.GTE,
        5,
        600,
        1,
        Severity.CRITICAL,
    ),
    AlertRule("Daily budget 90 % used", Metric.DAILY_BUDGET_USED, Comparator.GTE, 0.9, 300, 1),
    AlertRule(
        "Monthly budget exhausted",
        Metric.MONTHLY_BUDGET_USED,
        Comparator.GTE,
        1.0,
        3600,
        1,
        Severity.CRITICAL,
    ),
)


def validate(rule: AlertRule) -> AlertRule:
    name = rule.name.strip()
    if not 1 <= len(name) <= 200:
        raise BadUserInput("name must be 1-200 characters", field="name")
    if rule.agent is not None:
        agent_name(rule.agent)
    if rule.threshold != rule.threshold or abs(rule.threshold) > 1e15:  # NaN or absurd
        raise BadUserInput("threshold must be a finite number", field="threshold")
    if not 10 <= rule.window_seconds <= MAX_WINDOW_SECONDS:
        raise BadUserInput(
            f"windowSeconds must be between 10 and {MAX_WINDOW_SECONDS}", field="windowSeconds"
        )
    if not 1 <= rule.min_samples <= 1_000_000:
        raise BadUserInput("minSamples must be between 1 and 1000000", field="minSamples")
    if rule.metric in {Metric.ERROR_RATE} and not 0 <= rule.threshold <= 1:
        raise BadUserInput(
            "ERROR_RATE is a fraction: threshold must be within 0..1", field="threshold"
        )
    if rule.webhook_url is not None:
        url = rule.webhook_url.strip()
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or len(url) > 2000:
            raise BadUserInput(
                "webhookUrl must be an absolute http:// or https:// URL", field="webhookUrl"
            )
        rule = replace(rule, webhook_url=url)
    return replace(rule, name=name)


def _row(rule: AlertRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "agent": rule.agent,
        "metric": rule.metric.value,
        "comparator": rule.comparator.value,
        "threshold": rule.threshold,
        "window_seconds": rule.window_seconds,
        "min_samples": rule.min_samples,
        "severity": rule.severity.value,
        "enabled": rule.enabled,
        "webhook_url": rule.webhook_url,
    }


def from_row(row: Any) -> AlertRule:
    return AlertRule(
        id=row["id"],
        name=row["name"],
        agent=row["agent"],
        metric=Metric(row["metric"]),
        comparator=Comparator(row["comparator"]),
        threshold=row["threshold"],
        window_seconds=row["window_seconds"],
        min_samples=row["min_samples"],
        severity=Severity(row["severity"]),
        enabled=row["enabled"],
        webhook_url=row["webhook_url"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def load_rules(engine: AsyncEngine) -> list[AlertRule]:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(rule_table).order_by(rule_table.c.id))).mappings()
        return [from_row(r) for r in rows.all()]


async def insert_rule(engine: AsyncEngine, rule: AlertRule, now: datetime) -> AlertRule:
    async with engine.begin() as conn:
        result = await conn.execute(
            sa.insert(rule_table)
            .values(**_row(rule), created_at=now, updated_at=now)
            .returning(rule_table.c.id)
        )
        rule_id = int(result.scalar_one())
    return replace(rule, id=rule_id, created_at=now, updated_at=now)


async def update_rule(engine: AsyncEngine, rule_id: int, rule: AlertRule, now: datetime) -> None:
    async with engine.begin() as conn:
        result = await conn.execute(
            sa.update(rule_table)
            .where(rule_table.c.id == rule_id)
            .values(**_row(rule), updated_at=now)
        )
    if not result.rowcount:
        raise AlertRuleNotFound(f"no alert rule with id {rule_id}", id=str(rule_id))


async def delete_rule(engine: AsyncEngine, rule_id: int) -> None:
    async with engine.begin() as conn:
        result = await conn.execute(sa.delete(rule_table).where(rule_table.c.id == rule_id))
    if not result.rowcount:
        raise AlertRuleNotFound(f"no alert rule with id {rule_id}", id=str(rule_id))


async def seed_defaults(engine: AsyncEngine, now: datetime) -> None:
    """Create DEFAULT_RULES once per database (deleting them later does not bring them back)."""
    async with engine.begin() as conn:
        seeded = (
            await conn.execute(
                sa.select(setting_table.c.key).where(setting_table.c.key == DEFAULTS_SEEDED_KEY)
            )
        ).first()
        if seeded is not None:
            return
        await conn.execute(
            sa.insert(rule_table),
            [{**_row(rule), "created_at": now, "updated_at": now} for rule in DEFAULT_RULES],
        )
        await conn.execute(sa.insert(setting_table).values(key=DEFAULTS_SEEDED_KEY, value=True))
