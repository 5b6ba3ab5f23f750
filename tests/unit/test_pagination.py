"""Keyset pagination over runs: newest first, filters, stable while runs are inserted."""

from datetime import UTC, datetime, timedelta

from services.platform import Platform
from services.records import RunErrorInfo, RunRecord, RunStatus
from services.runs import RunFilter, list_runs

BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _run(i: int, agent: str = "a", status: RunStatus = RunStatus.SUCCESS) -> RunRecord:
    return RunRecord(
        id=f"00000000-0000-0000-0000-{i:012d}",
        agent=agent,
        status=status,
        started_at=BASE + timedelta(seconds=i // 2),  # pairs share a timestamp: id breaks ties
        latency_ms=float(i),
        calls=(),
        error=RunErrorInfo("x", "E") if status is RunStatus.ERROR else None,
    )


async def _all_pages(platform: Platform, flt: RunFilter, first: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await list_runs(platform.engine, flt, first, after)
        seen.extend(r.id for r in page.runs)
        if not page.has_next_page:
            return seen
        after = _cursor(page.runs[-1])


def _cursor(run: RunRecord) -> str:
    from services.runs.queries import encode_cursor

    return encode_cursor(run)


async def test_pages_are_newest_first_and_complete(platform: Platform) -> None:
    runs = [
        _run(
            i,
            agent="a" if i % 3 else "b",
            status=RunStatus.ERROR if i % 4 == 0 else RunStatus.SUCCESS,
        )
        for i in range(40)
    ]
    for run in runs:
        await platform.writer.insert(run)
    expected = [r.id for r in sorted(runs, key=lambda r: (r.started_at, r.id), reverse=True)]
    assert await _all_pages(platform, RunFilter(), 7) == expected
    only_b_errors = await _all_pages(platform, RunFilter(agent="b", status=RunStatus.ERROR), 2)
    assert only_b_errors == [r for r in expected if int(r[-12:]) % 3 == 0 and int(r[-12:]) % 4 == 0]
    window = RunFilter(since=BASE + timedelta(seconds=5), until=BASE + timedelta(seconds=10))
    assert await _all_pages(platform, window, 3) == [
        r.id for r in runs[::-1] if 10 <= int(r.id[-12:]) < 20
    ]


async def test_cursor_stays_correct_while_runs_are_inserted(platform: Platform) -> None:
    for i in range(20):
        await platform.writer.insert(_run(i))
    first = await list_runs(platform.engine, RunFilter(), 5, None)
    # Newer runs arrive between page requests; they must not shift or repeat older pages.
    for i in range(100, 110):
        await platform.writer.insert(_run(i))
    rest = await _all_pages_from(platform, _cursor(first.runs[-1]))
    ids = [r.id for r in first.runs] + rest
    assert len(ids) == len(set(ids)) == 20
    assert [int(i[-12:]) for i in ids] == list(range(19, -1, -1))


async def _all_pages_from(platform: Platform, after: str) -> list[str]:
    seen: list[str] = []
    cursor: str | None = after
    while cursor is not None:
        page = await list_runs(platform.engine, RunFilter(), 4, cursor)
        seen.extend(r.id for r in page.runs)
        cursor = _cursor(page.runs[-1]) if page.has_next_page else None
    return seen
