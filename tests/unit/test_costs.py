"""Per-call pricing with hand-computed expected costs; overrides, recompute, reported costs."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from services.cost import Override, recompute_costs
from services.errors import BadUserInput
from services.platform import Platform
from services.records import CostSource, RunStatus
from services.runs import ReportedCall, ReportedRun, get_run
from tests.support.clock import NOW


def call(
    model: str | None,
    provider: str | None,
    inp: int,
    out: int,
    cached: int = 0,
    written: int = 0,
    reasoning: int = 0,
    at: datetime | None = None,
    cost: Decimal | None = None,
) -> ReportedCall:
    return ReportedCall(
        model=model,
        provider=provider,
        input_tokens=inp,
        output_tokens=out,
        cached_tokens=cached,
        cache_write_tokens=written,
        reasoning_tokens=reasoning,
        started_at=at,
        cost_usd=cost,
    )


async def record(
    core: Platform,
    *calls: ReportedCall,
    at: datetime = NOW - timedelta(minutes=5),
    cost: Decimal | None = None,
    agent: str = "priced",
    status: RunStatus = RunStatus.SUCCESS,
) -> str:
    run = await core.ingestor.record(
        ReportedRun(
            agent=agent,
            status=status,
            started_at=at,
            latency_ms=100.0,
            calls=calls,
            cost_usd=cost,
            error=None,
        )
    )
    return run.id


# Prices per million tokens from genai-prices' catalog, written out by hand:
# gpt-4o-mini in 0.15 / cached 0.075 / out 0.6; o4-mini in 1.1 / out 4.4;
# claude-sonnet-4 in 3 / cache read 0.3 / cache write 3.75 / out 15;
# claude-3-5-haiku in 0.8 / out 4; gemini-2.0-flash in 0.1 / cached 0.025 / out 0.4;
# gpt-4.1-mini in 0.4 / out 1.6.
HAND_COMPUTED = [
    # 6,000 uncached x 0.15 + 4,000 cached x 0.075 + 500 out x 0.6 = 1,500 µ$
    (call("gpt-4o-mini", "openai", 10_000, 500, cached=4_000), Decimal("0.0015")),
    # reasoning is part of output: 2,000 x 1.1 + 3,000 x 4.4 = 15,400 µ$
    (call("o4-mini", "openai", 2_000, 3_000, reasoning=2_500), Decimal("0.0154")),
    # 3,000 x 3 + 12,000 x 0.3 + 5,000 x 3.75 + 800 x 15 = 43,350 µ$
    (
        call("claude-sonnet-4-20250514", "anthropic", 20_000, 800, cached=12_000, written=5_000),
        Decimal("0.04335"),
    ),
    (call("claude-3-5-haiku-latest", "anthropic", 1_000, 200), Decimal("0.0016")),
    # 50,000 x 0.1 + 50,000 x 0.025 + 1,000 x 0.4 = 6,650 µ$
    (call("gemini-2.0-flash", "google_genai", 100_000, 1_000, cached=50_000), Decimal("0.00665")),
    (call("gpt-4.1-mini", "openai", 1_000_000, 100_000), Decimal("0.56")),
]


@pytest.mark.parametrize(("reported", "expected"), HAND_COMPUTED)
async def test_catalog_prices_match_hand_computation(
    core: Platform, reported: ReportedCall, expected: Decimal
) -> None:
    run = await get_run(core.engine, await record(core, reported))
    assert run is not None and run.calls is not None
    assert run.cost_usd == expected and run.cost_source is CostSource.CATALOG
    assert run.calls[0].cost_usd == expected and run.calls[0].cost_source is CostSource.CATALOG


async def test_multi_model_run_prices_each_call(core: Platform) -> None:
    run_id = await record(core, HAND_COMPUTED[0][0], HAND_COMPUTED[3][0], HAND_COMPUTED[1][0])
    run = await get_run(core.engine, run_id)
    assert run is not None and run.calls is not None
    assert [c.cost_usd for c in run.calls] == [
        Decimal("0.0015"),
        Decimal("0.0016"),
        Decimal("0.0154"),
    ]
    assert run.cost_usd == Decimal("0.0185")
    assert run.input_tokens == 13_000 and run.output_tokens == 3_700


async def test_unknown_model_is_unpriced_never_zero(core: Platform) -> None:
    alone = await get_run(core.engine, await record(core, call("acme-llm-7", None, 100, 10)))
    mixed = await get_run(
        core.engine, await record(core, HAND_COMPUTED[0][0], call("acme-llm-7", "acme", 100, 10))
    )
    for run in (alone, mixed):
        assert run is not None and run.cost_usd is None
        assert run.cost_source is CostSource.UNPRICED
    assert mixed is not None and mixed.calls is not None
    assert mixed.calls[0].cost_usd == Decimal("0.0015")  # the priced call keeps its price
    prefix_trap = await get_run(
        core.engine, await record(core, call("gpt-4o-mini-acme", None, 100, 10))
    )
    assert prefix_trap is not None and prefix_trap.cost_source is CostSource.UNPRICED


async def test_override_and_recompute(core: Platform) -> None:
    unknown = await record(core, call("acme-llm-7", None, 2_000_000, 500_000))
    catalog = await record(core, HAND_COMPUTED[0][0])
    await core.prices.set_override(Override("acme-llm-7", Decimal("1"), Decimal("2")))
    await core.prices.set_override(
        Override("gpt-4o-mini", Decimal("0.2"), Decimal("1"), cache_read_per_million=Decimal("0.1"))
    )
    fresh = await get_run(core.engine, await record(core, call("acme-llm-7", None, 1_000, 1_000)))
    assert fresh is not None and fresh.cost_usd == Decimal("0.003")  # new runs: at once
    assert fresh.cost_source is CostSource.OVERRIDE
    old = await get_run(core.engine, unknown)
    assert old is not None and old.cost_usd is None  # past runs: only once recomputed
    changed = await recompute_costs(core.engine, core.writer.transact, core.prices.book, None, None)
    assert changed == 2  # `fresh` was already priced at the override
    old = await get_run(core.engine, unknown)
    assert old is not None and old.cost_usd == Decimal("3")  # 2 x 1 + 0.5 x 2
    assert old.cost_source is CostSource.OVERRIDE
    repriced = await get_run(core.engine, catalog)
    # 6,000 x 0.2 + 4,000 x 0.1 + 500 x 1 = 2,100 µ$
    assert repriced is not None and repriced.cost_usd == Decimal("0.0021")
    assert (
        await recompute_costs(core.engine, core.writer.transact, core.prices.book, None, None) == 0
    )
    await core.prices.delete_overrides("gpt-4o-mini")
    assert (
        await recompute_costs(core.engine, core.writer.transact, core.prices.book, None, None) == 1
    )
    back = await get_run(core.engine, catalog)
    assert back is not None and back.cost_usd == Decimal("0.0015")


async def test_effective_dated_override_applies_only_from_its_instant(core: Platform) -> None:
    switch = NOW - timedelta(hours=1)
    before = await record(
        core,
        call("gpt-4o-mini", "openai", 1_000_000, 0, at=switch - timedelta(minutes=1)),
        at=switch - timedelta(minutes=1),
    )
    await core.prices.set_override(
        Override("gpt-4o-mini", Decimal("1"), Decimal("1"), effective_from=switch)
    )
    after = await record(
        core,
        call("gpt-4o-mini", "openai", 1_000_000, 0, at=switch + timedelta(minutes=1)),
        at=switch + timedelta(minutes=1),
    )
    await recompute_costs(core.engine, core.writer.transact, core.prices.book, None, None)
    early, late = await get_run(core.engine, before), await get_run(core.engine, after)
    assert early is not None and early.cost_usd == Decimal("0.15")
    assert early.cost_source is CostSource.CATALOG
    assert late is not None and late.cost_usd == Decimal("1")
    assert late.cost_source is CostSource.OVERRIDE


async def test_reported_cost_is_kept(core: Platform) -> None:
    run_id = await record(core, call("gpt-4o-mini", "openai", 10, 10), cost=Decimal("0.42"))
    per_call = await record(
        core, call("acme-llm-7", None, 10, 10, cost=Decimal("0.01")), HAND_COMPUTED[3][0]
    )
    await core.prices.set_override(Override("gpt-4o-mini", Decimal("100"), Decimal("100")))
    await recompute_costs(core.engine, core.writer.transact, core.prices.book, None, None)
    run = await get_run(core.engine, run_id)
    assert run is not None and run.cost_usd == Decimal("0.42")
    assert run.cost_source is CostSource.REPORTED
    mixed = await get_run(core.engine, per_call)
    assert mixed is not None and mixed.cost_usd == Decimal("0.0116")
    assert mixed.cost_source is CostSource.REPORTED


async def test_inconsistent_token_counts_are_rejected(core: Platform) -> None:
    for bad in (
        call("gpt-4o-mini", None, 10, 10, cached=11),
        call("gpt-4o-mini", None, 10, 10, reasoning=11),
        call("gpt-4o-mini", None, -1, 10),
    ):
        with pytest.raises(BadUserInput):
            await record(core, bad)
