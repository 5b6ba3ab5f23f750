"""Alert lifecycle on the real core (SQLite and PostgreSQL) with an injected clock."""

import asyncio
import itertools
from datetime import timedelta
from decimal import Decimal

import pytest

from services.alerts import (
    AlertAlreadyResolved,
    AlertChanged,
    AlertNotFound,
    AlertRule,
    AlertStatus,
    Comparator,
    EventKind,
    Metric,
    Severity,
    events_by_alert,
    list_alerts,
)
from services.cost import Budget, set_budget
from services.platform import Platform
from services.records import RunErrorInfo, RunStatus
from services.runs import ReportedCall, ReportedRun
from tests.support.clock import NOW, FakeClock
from tests.support.databases import settings_for


def clock(core: Platform) -> FakeClock:
    assert isinstance(core.clock, FakeClock)
    return core.clock


SEQUENCE = itertools.count()


async def run(
    core: Platform,
    agent: str = "a",
    failed: bool = False,
    latency: float = 100.0,
    call: ReportedCall | None = None,
) -> None:
    # Distinct start times a microsecond apart, in call order, all within the last second.
    started = clock(core).now() - timedelta(seconds=1) + timedelta(microseconds=next(SEQUENCE))
    await core.ingestor.record(
        ReportedRun(
            agent=agent,
            status=RunStatus.ERROR if failed else RunStatus.SUCCESS,
            started_at=started,
            latency_ms=latency,
            error=RunErrorInfo("boom", "RuntimeError") if failed else None,
            calls=(call,) if call else None,
        )
    )


async def open_alerts(core: Platform) -> list[AlertStatus]:
    page = await list_alerts(core.engine, None, None, 100, None)
    return [a.status for a in page.alerts if a.status is not AlertStatus.RESOLVED]


async def test_default_rules_exist_on_first_start(core: Platform) -> None:
    names = {r.name for r in core.alerts.rules.values()}
    assert {"High error rate", "5 failures in a row", "Daily budget 90 % used"} <= names


async def test_error_rate_respects_min_samples_then_fires_and_pushes(core: Platform) -> None:
    rule = await core.alerts.create_rule(
        AlertRule("errors", Metric.ERROR_RATE, Comparator.GT, 0.5, 300, 4, agent=None)
    )
    async with core.alert_changes.subscribe() as feed:
        for _ in range(3):
            await run(core, failed=True)
        await core.alerts.evaluate(rule)
        assert await open_alerts(core) == []  # 3 samples < minSamples 4
        await run(core, failed=True)
        await core.alerts.evaluate(rule)
        change = await asyncio.wait_for(feed.get(), 5)
    assert isinstance(change, AlertChanged)
    assert change.alert.status is AlertStatus.FIRING and change.alert.value == 1.0
    assert change.alert.rule_name == "errors" and "error rate" in change.alert.message


@pytest.mark.parametrize(
    ("metric", "threshold", "setup"),
    [
        (Metric.LATENCY_P95_MS, 1000, "slow"),
        (Metric.LATENCY_P99_MS, 1000, "slow"),
        (Metric.COST_USD, 0.5, "costly"),
        (Metric.DAILY_BUDGET_USED, 0.9, "costly"),
        (Metric.MONTHLY_BUDGET_USED, 1.0, "costly"),
        (Metric.CONSECUTIVE_FAILURES, 3, "failing"),
        (Metric.RUN_COUNT, 3, "busy"),
    ],
)
async def test_each_metric_fires_from_real_runs(
    core: Platform, metric: Metric, threshold: float, setup: str
) -> None:
    rule = await core.alerts.create_rule(
        AlertRule(f"{metric}", metric, Comparator.GTE, threshold, 600, 1, agent="m")
    )
    await core.registry.ensure_external(["m"])
    await set_budget(core.engine, "m", Budget(Decimal("0.4"), Decimal("0.4")))
    await run(core, agent="m", latency=10.0)
    await core.alerts.evaluate(rule)
    assert await open_alerts(core) == []  # one quick, cheap success: nothing breached
    for _ in range(3):
        if setup == "slow":
            await run(core, agent="m", latency=5000.0)
        elif setup == "costly":  # $0.40 each (gpt-4.1-mini, 1M input tokens)
            await run(
                core,
                agent="m",
                call=ReportedCall(model="gpt-4.1-mini", provider="openai", input_tokens=1_000_000),
            )
        else:
            await run(core, agent="m", failed=setup == "failing")
    await core.alerts.evaluate(rule)
    assert await open_alerts(core) == [AlertStatus.FIRING]


async def test_dedupe_under_50_concurrent_failing_runs(core: Platform) -> None:
    await core.alerts.create_rule(
        AlertRule("streak", Metric.CONSECUTIVE_FAILURES, Comparator.GTE, 3, 600, 1, agent="d")
    )
    await asyncio.gather(*(run(core, agent="d", failed=True) for _ in range(50)))
    async with asyncio.timeout(10):  # the real evaluator task, triggered by the runs
        while not await open_alerts(core) or core.alerts.describe()["pendingEvaluations"]:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
    await core.alerts.evaluate_all()
    page = await list_alerts(core.engine, None, "d", 100, None)
    assert [a.status for a in page.alerts] == [AlertStatus.FIRING]
    assert page.alerts[0].value == 50.0  # the open alert's value was updated, not duplicated


async def test_acknowledge_resolve_refire_and_errors(core: Platform) -> None:
    rule = await core.alerts.create_rule(
        AlertRule(
            "streak",
            Metric.CONSECUTIVE_FAILURES,
            Comparator.GTE,
            2,
            600,
            1,
            agent="x",
            severity=Severity.CRITICAL,
        )
    )
    for _ in range(2):
        await run(core, agent="x", failed=True)
    await core.alerts.evaluate(rule)
    (first,) = (await list_alerts(core.engine, AlertStatus.FIRING, "x", 10, None)).alerts
    acked = await core.alerts.acknowledge(first.id, "looking")
    assert acked.status is AlertStatus.ACKNOWLEDGED and acked.acknowledged_at == NOW
    resolved = await core.alerts.resolve(first.id, "fixed the key")
    assert resolved.status is AlertStatus.RESOLVED
    with pytest.raises(AlertAlreadyResolved):
        await core.alerts.resolve(first.id, None)
    with pytest.raises(AlertAlreadyResolved):
        await core.alerts.acknowledge(first.id, None)
    with pytest.raises(AlertNotFound):
        await core.alerts.acknowledge(987654, None)
    events = (await events_by_alert(core.engine, [first.id]))[first.id]
    assert [(e.kind, e.note, e.automatic) for e in events] == [
        (EventKind.FIRED, None, True),
        (EventKind.ACKNOWLEDGED, "looking", False),
        (EventKind.RESOLVED, "fixed the key", False),
    ]
    await run(core, agent="x", failed=True)  # still breaching: a new breach, a new alert
    await core.alerts.evaluate(rule)
    (second,) = (await list_alerts(core.engine, AlertStatus.FIRING, "x", 10, None)).alerts
    assert second.id != first.id


async def test_auto_resolve_after_the_window_is_clear(core: Platform) -> None:
    rule = await core.alerts.create_rule(
        AlertRule("errors", Metric.ERROR_RATE, Comparator.GT, 0.5, 60, 1, agent="y")
    )
    await run(core, agent="y", failed=True)
    await core.alerts.evaluate(rule)
    assert await open_alerts(core) == [AlertStatus.FIRING]
    clock(core).advance(61)  # the failure left the window: condition clear
    await core.alerts.evaluate_all()
    assert await open_alerts(core) == [AlertStatus.FIRING]  # clear, but not for a window yet
    clock(core).advance(59)
    await core.alerts.evaluate_all()
    assert await open_alerts(core) == [AlertStatus.FIRING]
    clock(core).advance(1)
    await core.alerts.evaluate_all()
    assert await open_alerts(core) == []
    (alert,) = (await list_alerts(core.engine, AlertStatus.RESOLVED, "y", 10, None)).alerts
    last = (await events_by_alert(core.engine, [alert.id]))[alert.id][-1]
    assert last.kind is EventKind.RESOLVED and last.automatic
    assert alert.resolved_at == NOW + timedelta(seconds=121)


async def test_run_count_below_one_fires_without_traffic_on_the_tick(database_url: str) -> None:
    fixed = FakeClock(NOW)
    core = await Platform.start(settings_for(database_url, alert_tick_seconds=0.05), fixed)
    try:
        await run(core, agent="quiet")  # registers the agent and puts a run in the window
        await core.alerts.create_rule(
            AlertRule("silence", Metric.RUN_COUNT, Comparator.LT, 1, 600, 1, agent="quiet")
        )
        await asyncio.sleep(0.3)  # several ticks: one run in the window, nothing fires
        assert await open_alerts(core) == []
        fixed.advance(601)  # ten minutes without a run
        async with asyncio.timeout(5):  # no run, no call: only the periodic tick can fire it
            while not await open_alerts(core):
                await asyncio.sleep(0.05)
        assert await open_alerts(core) == [AlertStatus.FIRING]
    finally:
        await core.stop()
