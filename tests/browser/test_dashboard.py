"""The live dashboard at / in real headless Chromium against a real server (SQLite file)."""

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from graph.schema import schema
from services.platform import Platform
from services.records import RunRecord, RunStatus
from services.settings import Settings
from tests.support.browser import chromium
from tests.support.client import gql
from tests.support.databases import ROOT, TEST_AGENTS
from tests.support.server import LiveServer, start_server

ARTIFACTS = ROOT / "artifacts"
XSS = '<img src=x onerror="window.__xss=1">'
RECORD = """mutation($input: RecordRunInput!) { recordRun(input: $input) { id } }"""
RUN_AGENT = """mutation($agent: String!, $input: JSON!) {
  runAgent(agent: $agent, input: $input) { id status } }"""
CREATE_RULE = "mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }"
LIVE = '[data-testid="connection-state"][data-state="live"]'


def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'dashboard.db'}"


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server on an empty database, for exact counts."""
    live = start_server({"AGENTWATCH_DATABASE_URL": db_url(tmp_path)}, tmp_path / "server.log")
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server shared by the tests that only look at their own runs and alerts."""
    tmp = tmp_path_factory.mktemp("dashboard")
    live = start_server({"AGENTWATCH_DATABASE_URL": db_url(tmp)}, tmp / "server.log")
    try:
        yield live
    finally:
        live.stop()


class Console:
    """Console errors and uncaught exceptions of a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with chromium() as browser:
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        yield await context.new_page()
        await context.close()


async def call(server: LiveServer, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await gql(server.url, query, variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def record(server: LiveServer, **fields: Any) -> str:
    run = {"agent": "billing-agent", "status": "SUCCESS", **fields}
    return str((await call(server, RECORD, {"input": run}))["recordRun"]["id"])


async def open_dashboard(page: Page, server: LiveServer) -> None:
    await page.goto(f"{server.url}/")
    await page.wait_for_selector(LIVE, timeout=10_000)
    await page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads


def card(page: Page, name: str) -> Any:
    return page.get_by_test_id(f"stat-{name}-value")


async def test_stats_show_real_numbers_without_console_errors(
    fresh_server: LiveServer, page: Page
) -> None:
    server = fresh_server
    console = Console(page)
    for latency, status in ((100.0, "SUCCESS"), (200.0, "SUCCESS"), (300.0, "ERROR")):
        error = {"message": "card declined", "type": "PaymentError"} if status == "ERROR" else None
        await record(
            server,
            status=status,
            latencyMs=latency,
            model="gpt-4o-mini",
            inputTokens=1000,
            outputTokens=100,
            error=error,
        )
    await open_dashboard(page, server)
    await expect(card(page, "runs")).to_have_text("3")
    await expect(card(page, "success")).to_have_text("66.7 %")
    await expect(card(page, "latency")).to_have_text("200 ms")
    await expect(page.get_by_test_id("stat-latency-sub")).to_have_text("p95 300 ms · p99 300 ms")
    await expect(card(page, "tokens")).to_have_text("3,300")
    await expect(card(page, "cost-today")).to_have_text(re.compile(r"^\$0\.00\d+$"))
    await expect(card(page, "alerts")).to_have_text("0")
    has_rate_limits = "rateLimitedCount" in schema.as_str()
    await expect(card(page, "rate-limited")).to_have_text("0" if has_rate_limits else "—")
    await expect(page.get_by_test_id("run-row")).to_have_count(3)
    await expect(page.get_by_test_id("cost-by-model")).to_contain_text("gpt-4o-mini")
    for chart in ("latency", "throughput", "cost"):
        await expect(page.get_by_test_id(f"chart-{chart}").locator("canvas")).to_have_count(1)

    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
    # Phone width: nothing sticks out sideways.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.locator("table.runs").locator("xpath=..")
    overflow = await table.evaluate("wrap => wrap.scrollWidth - wrap.clientWidth")
    assert overflow == 0  # and the runs table's own columns fit too
    assert console.errors == []


async def test_new_run_appears_live_and_opens_from_the_keyboard(
    server: LiveServer, page: Page
) -> None:
    console = Console(page)
    await record(server, latencyMs=50.0)
    await open_dashboard(page, server)
    await expect(card(page, "runs")).to_have_text(re.compile(r"^[1-9][\d,]*$"))
    runs_before = int((await card(page, "runs").inner_text()).replace(",", ""))

    ran = await call(server, RUN_AGENT, {"agent": "support-bot", "input": {"question": "hi"}})
    run_id = ran["runAgent"]["id"]
    row = page.locator(f'[data-testid="run-row"][data-run-id="{run_id}"]')
    await expect(row).to_be_visible(timeout=2_000)
    await expect(page.get_by_test_id("run-row").first).to_have_attribute("data-run-id", run_id)
    await expect(card(page, "runs")).to_have_text(f"{runs_before + 1:,}", timeout=2_000)
    assert await page.evaluate("window.__sameDocument") is True

    await row.focus()
    await page.keyboard.press("Enter")
    detail = page.get_by_test_id("run-detail")
    await expect(detail).to_be_visible()
    await expect(detail).to_contain_text(run_id)
    await expect(detail).to_contain_text("gpt-4o-mini")  # the model call's row
    await page.keyboard.press("Escape")
    await expect(detail).to_be_hidden()

    # A burst of runs: every one is counted, the table stays bounded.
    await asyncio.gather(*(record(server, latencyMs=float(i)) for i in range(60)))
    await expect(card(page, "runs")).to_have_text(f"{runs_before + 61:,}")
    await expect(page.get_by_test_id("run-row")).to_have_count(50)
    assert console.errors == []


async def test_alert_fires_and_is_acknowledged_then_resolved_from_the_page(
    server: LiveServer, page: Page
) -> None:
    name = "dashboard: failing agent"
    rule = {
        "name": name,
        "agent": "failing",
        "metric": "CONSECUTIVE_FAILURES",
        "comparator": "GTE",
        "threshold": 3,
        "windowSeconds": 300,
        "minSamples": 1,
        "severity": "CRITICAL",
    }
    await call(server, CREATE_RULE, {"input": rule})
    await open_dashboard(page, server)
    for _ in range(3):
        await call(server, RUN_AGENT, {"agent": "failing", "input": {}})
    # Other rules (the defaults) may fire too on this shared server: pick ours by its name.
    active = page.get_by_test_id("alerts-active")
    item = active.get_by_test_id("alert").filter(has_text=name)
    await expect(item).to_have_attribute("data-status", "FIRING", timeout=5_000)
    alert_id = await item.get_attribute("data-alert-id")
    await expect(card(page, "alerts")).to_have_text(str(await active_on_server(server)))
    assert await active_on_server(server) >= 1

    async def on_server() -> dict[str, Any]:
        query = "query($id: ID!) { alert(id: $id) { status events { kind note } } }"
        found: dict[str, Any] = (await call(server, query, {"id": alert_id}))["alert"]
        return found

    assert (await on_server())["status"] == "FIRING"
    await item.get_by_test_id("alert-note").fill("looking at it")
    await item.get_by_test_id("alert-acknowledge").click()
    await expect(item).to_have_attribute("data-status", "ACKNOWLEDGED")
    await expect(item.get_by_test_id("alert-acknowledge")).to_be_hidden()
    acknowledged = await on_server()
    assert acknowledged["status"] == "ACKNOWLEDGED"
    assert {"kind": "ACKNOWLEDGED", "note": "looking at it"} in acknowledged["events"]

    await item.get_by_test_id("alert-resolve").click()
    resolved = page.get_by_test_id("alerts-history").locator(f'[data-alert-id="{alert_id}"]')
    await expect(resolved).to_have_attribute("data-status", "RESOLVED")
    await expect(active.locator(f'[data-alert-id="{alert_id}"]')).to_have_count(0)
    assert (await on_server())["status"] == "RESOLVED"
    await expect(card(page, "alerts")).to_have_text(str(await active_on_server(server)))


async def active_on_server(server: LiveServer) -> int:
    query = """{ firing: alerts(status: FIRING) { edges { cursor } }
                 acked: alerts(status: ACKNOWLEDGED) { edges { cursor } } }"""
    data = await call(server, query, {})
    return len(data["firing"]["edges"]) + len(data["acked"]["edges"])


async def test_attacker_controlled_text_is_shown_as_text(server: LiveServer, page: Page) -> None:
    hostile = {
        "status": "ERROR",
        "latencyMs": 5.0,
        "model": "<b>bold</b>",
        "input": {"question": XSS},
        "error": {
            "message": XSS,
            "type": "<script>window.__xss=2</script>",
            "stackTrace": f"Traceback:\n  {XSS}",
        },
    }
    before = await record(server, **hostile)
    await open_dashboard(page, server)
    after = await record(server, **hostile)  # the live path too
    for run_id in (before, after):
        row = page.locator(f'[data-testid="run-row"][data-run-id="{run_id}"]')
        await expect(row).to_contain_text("<b>bold</b>", timeout=2_000)
        await row.click()
        detail = page.get_by_test_id("run-detail")
        await expect(detail.get_by_test_id("run-error-message")).to_have_text(XSS)
        await expect(detail.get_by_test_id("run-error-stack")).to_contain_text(XSS)
        await expect(detail.get_by_test_id("run-input")).to_contain_text(json.dumps(XSS))
        await expect(detail).to_contain_text("<script>window.__xss=2</script>")
        await page.keyboard.press("Escape")
    assert await page.evaluate("typeof window.__xss") == "undefined"
    assert await page.locator("img, b, main script, dialog script").count() == 0


async def test_asks_for_the_api_key_once_per_tab(tmp_path: Path, page: Page) -> None:
    env = {"AGENTWATCH_DATABASE_URL": db_url(tmp_path), "AGENTWATCH_API_KEY": "s3cret-key"}
    server = start_server(env, tmp_path / "server.log")
    try:
        body = await gql(
            server.url,
            RECORD,
            {"input": {"agent": "keyed", "status": "SUCCESS"}},
            headers={"Authorization": "Bearer s3cret-key"},
        )
        assert "errors" not in body
        await page.goto(f"{server.url}/")
        dialog = page.get_by_test_id("api-key-dialog")
        await expect(dialog).to_be_visible(timeout=10_000)  # socket closed 4403 / HTTP 401
        await page.get_by_test_id("api-key-input").fill("s3cret-key")
        await page.keyboard.press("Enter")
        await page.wait_for_selector(LIVE, timeout=10_000)  # connectionParams carry the key
        await expect(card(page, "runs")).to_have_text("1")  # and so do HTTP requests
        assert await page.evaluate("sessionStorage.getItem('agentwatch.apiKey')") == "s3cret-key"
        await page.reload()
        await page.wait_for_selector(LIVE, timeout=10_000)
        await expect(page.get_by_test_id("run-row")).to_have_count(1)
        await expect(dialog).to_be_hidden()
    finally:
        server.stop()


async def test_reconnects_after_a_restart_and_catches_up(tmp_path: Path, page: Page) -> None:
    env = {"AGENTWATCH_DATABASE_URL": db_url(tmp_path)}
    server = start_server(env, tmp_path / "server.log")
    try:
        await record(server, latencyMs=10.0)
        await open_dashboard(page, server)
        await expect(card(page, "runs")).to_have_text("1")
        server.stop()
        state = page.get_by_test_id("connection-state")
        await expect(state).not_to_have_attribute("data-state", "live", timeout=5_000)
        missed = await insert_runs_directly(db_url(tmp_path), 2)
        server = start_server(env, tmp_path / "server.log", port=int(server.url.rsplit(":", 1)[1]))
        await expect(state).to_have_attribute("data-state", "live", timeout=15_000)
        for run_id in missed:
            await expect(page.locator(f'[data-run-id="{run_id}"]')).to_be_visible()
        await expect(card(page, "runs")).to_have_text("3")
        assert await page.evaluate("window.__sameDocument") is True
    finally:
        server.stop()


async def insert_runs_directly(database_url: str, n: int) -> list[str]:
    """Runs stored while the server is down (as another instance on the same database would)."""
    core = await Platform.start(Settings(database_url=database_url, agents_file=TEST_AGENTS))
    try:
        ids = [f"0000000{i}-aaaa-4aaa-8aaa-000000000000" for i in range(n)]
        for run_id in ids:
            now = core.clock.now()
            run = RunRecord(
                id=run_id,
                agent="offline-agent",
                status=RunStatus.SUCCESS,
                started_at=now,
                ended_at=now,
                latency_ms=20.0,
                calls=(),
            )
            await core.writer.insert(run)
    finally:
        await core.stop()
    return ids
