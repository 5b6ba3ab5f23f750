"""costSummary totals, local day/month boundaries, budgets; savings suggestions recomputed
independently from a seeded history. On SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.cost import Budget, SuggestionKind, cost_suggestions, set_budget, summarize_costs
from services.platform import Platform
from services.records import RunErrorInfo, RunStatus
from services.runs import ReportedCall, ReportedRun, RunFilter
from tests.support.clock import NOW

FORTY_CENTS = ReportedCall(model="gpt-4.1-mini", provider="openai", input_tokens=1_000_000)


async def _run(
    core: Platform,
    at: datetime,
    agent: str = "a",
    failed: bool = False,
    call: ReportedCall = FORTY_CENTS,
) -> None:
    await core.ingestor.record(
        ReportedRun(
            agent=agent,
            status=RunStatus.ERROR if failed else RunStatus.SUCCESS,
            started_at=at,
            latency_ms=10.0,
            error=RunErrorInfo("boom", "E") if failed else None,
            calls=(call,),
        )
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
async def test_totals_boundaries_and_budgets(core: Platform, zone: str) -> None:
    await _run(core, utc("2026-11-27T06:00"))  # NY: 01:00 Nov 27 (today)
    await _run(core, utc("2026-11-27T04:30"))  # NY: 23:30 Nov 26 (yesterday there)
    await _run(core, utc("2026-11-01T03:30"))  # NY: 23:30 Oct 31 EDT (last month there)
    await _run(core, utc("2026-11-01T04:30"), agent="b")  # NY: 00:30 Nov 1
    await _run(core, utc("2026-11-20T10:00"), agent="b", failed=True)
    await _run(
        core, utc("2026-11-20T11:00"), call=ReportedCall(model="acme-llm-7", input_tokens=10)
    )  # unpriced
    await set_budget(core.engine, None, Budget(Decimal("1"), Decimal("2")))
    summary = await summarize_costs(core.engine, RunFilter(), NOW, ZoneInfo(zone))
    assert summary.total_usd == Decimal("2") and summary.runs == 6
    assert summary.unpriced_runs == 1 and summary.priced_runs == 5
    assert summary.failed_runs_cost_usd == Decimal("0.4")
    assert summary.cost_per_successful_run_usd == Decimal("2") / 5
    assert {(a.agent, a.runs, a.cost_usd) for a in summary.by_agent} == {
        ("a", 4, Decimal("1.2")),
        ("b", 2, Decimal("0.8")),
    }
    models = {m.model: m for m in summary.by_model}
    assert models["gpt-4.1-mini"].runs == 5 and models["gpt-4.1-mini"].input_tokens == 5_000_000
    assert models["acme-llm-7"].unpriced_calls == 1
    if zone == "UTC":
        today, month = Decimal("0.8"), Decimal("2")
        month_hours = 30 * 24  # Nov 1 00:00 → Dec 1 00:00 UTC
        elapsed_hours = 26 * 24 + 12
        days = {"2026-11-01": (2, "0.8"), "2026-11-20": (2, "0.4"), "2026-11-27": (2, "0.8")}
    else:
        today, month = Decimal("0.4"), Decimal("1.6")
        month_hours = 30 * 24 + 1  # DST ended on Nov 1: the local month is an hour longer
        elapsed_hours = 26 * 24 + 8  # from Nov 1 04:00 UTC (00:00 EDT)
        days = {
            "2026-10-31": (1, "0.4"),
            "2026-11-01": (1, "0.4"),
            "2026-11-20": (2, "0.4"),
            "2026-11-26": (1, "0.4"),
            "2026-11-27": (1, "0.4"),
        }
    assert summary.today_usd == today and summary.month_to_date_usd == month
    expected_projection = month * month_hours / elapsed_hours
    assert abs(summary.projected_month_usd - expected_projection) < Decimal("1e-9")
    assert {d.day.isoformat(): (d.runs, str(d.cost_usd)) for d in summary.by_day} == days
    budget = summary.budget
    assert budget.daily_used_usd == today and budget.daily_remaining_usd == 1 - today
    assert budget.monthly_used_fraction == float(month / 2)
    since = await summarize_costs(
        core.engine, RunFilter(since=utc("2026-11-20T00:00")), NOW, ZoneInfo(zone)
    )
    assert since.total_usd == Decimal("1.2") and since.month_to_date_usd == month


async def test_agent_budget_and_filter(core: Platform) -> None:
    await _run(core, utc("2026-11-27T06:00"), agent="a")
    await _run(core, utc("2026-11-27T07:00"), agent="b")
    await set_budget(core.engine, "a", Budget(Decimal("0.5"), None))
    summary = await summarize_costs(core.engine, RunFilter(agent="a"), NOW, ZoneInfo("UTC"))
    assert summary.total_usd == Decimal("0.4")
    assert summary.budget.agent == "a" and summary.budget.budget.daily_usd == Decimal("0.5")
    assert summary.budget.daily_used_fraction == pytest.approx(0.8)
    assert summary.budget.monthly_remaining_usd is None


async def test_suggestions_match_independent_computation(core: Platform) -> None:
    since = NOW - timedelta(days=10)
    gpt4o = ReportedCall(
        model="gpt-4o", provider="openai", input_tokens=100_000, output_tokens=1_000
    )
    for i in range(10):
        await _run(core, since + timedelta(days=i), agent="big", failed=i < 2, call=gpt4o)
    ordered = await cost_suggestions(core.engine, since, NOW)
    found = {s.kind: s for s in ordered}
    # Independently: gpt-4o is $2.5 in / $10 out / $1.25 cached per 1M; gpt-4o-mini $0.15/$0.6.
    per_run = Decimal(100_000) * Decimal("2.5") / 10**6 + Decimal(1_000) * 10 / 10**6  # 0.26
    mini = Decimal(100_000) * Decimal("0.15") / 10**6 + Decimal(1_000) * Decimal("0.6") / 10**6
    cheaper = found[SuggestionKind.CHEAPER_MODEL]
    assert cheaper.evidence["candidateModel"] == "openai:gpt-4o-mini"
    assert cheaper.estimated_monthly_savings_usd == (per_run - mini) * 10 * 30 / 10
    assert cheaper.evidence["windowDays"] == 10.0 and cheaper.agent == "big"
    caching = found[SuggestionKind.PROMPT_CACHING]
    assert caching.estimated_monthly_savings_usd == (
        Decimal(1_000_000) * Decimal("0.5") * (Decimal("2.5") - Decimal("1.25")) / 10**6 * 3
    )
    failed = found[SuggestionKind.FAILED_RUNS]
    assert failed.estimated_monthly_savings_usd == 2 * per_run * 30 / 10
    assert failed.evidence["failedRuns"] == 2 and failed.evidence["runs"] == 10
    assert [s.kind for s in ordered] == [
        SuggestionKind.CHEAPER_MODEL,
        SuggestionKind.PROMPT_CACHING,
        SuggestionKind.FAILED_RUNS,
    ]


async def test_no_data_no_suggestions(core: Platform) -> None:
    cheap = ReportedCall(
        model="gpt-4.1-nano",
        provider="openai",
        input_tokens=100,
        output_tokens=10,
        cached_tokens=90,
    )
    assert await cost_suggestions(core.engine, None, NOW) == []
    await _run(core, NOW - timedelta(hours=2), call=cheap)
    assert await cost_suggestions(core.engine, None, NOW) == []
