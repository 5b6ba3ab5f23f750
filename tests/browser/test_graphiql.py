"""GraphiQL at /graphql renders and runs queries with the network offline (real Chromium), and
opens on AgentWatch's example query rather than Strawberry's welcome text."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import parse, validate
from playwright.async_api import Page, Route

from graph.schema import schema
from tests.support.browser import chromium
from tests.support.server import LiveServer, start_server

EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
# The response editor renders only visible lines: tests read its whole text.
RESPONSE = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"


async def response_containing(page: Page, text: str, timeout: float = 15.0) -> str:
    """Poll GraphiQL's response pane from Python: `wait_for_function` evaluates its predicate
    with eval, which the page's Content-Security-Policy (no 'unsafe-eval') rightly refuses."""
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        body = str(await page.evaluate(RESPONSE))
        if text in body:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {text!r} in GraphiQL's response within {timeout} s: {body[:500]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("graphiql")
    live = start_server(
        {"AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'g.db'}"}, tmp / "server.log"
    )
    try:
        yield live
    finally:
        live.stop()


async def _open(
    page: Page, server: LiveServer, blocked: list[str], errors: list[str], search: str = ""
) -> None:
    async def offline(route: Route) -> None:
        if route.request.url.startswith(server.url) or route.request.url.startswith("data:"):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.route("**/*", offline)
    await page.goto(f"{server.url}/graphql{search}")
    await page.wait_for_selector(".graphiql-container", timeout=15_000)


async def test_graphiql_renders_and_queries_offline(server: LiveServer, tmp_path: Path) -> None:
    blocked: list[str] = []
    errors: list[str] = []
    async with chromium() as browser:
        page = await browser.new_page()
        # A shared link's query (?q=) wins over the example.
        await _open(page, server, blocked, errors, "?q=%7B%20agents%20%7B%20name%20%7D%20%7D")
        assert await page.evaluate(f"{EDITOR}.getValue()") == "{ agents { name } }"
        await page.locator(".graphiql-execute-button").click()
        await response_containing(page, "support-bot")
        await page.screenshot(path=str(tmp_path / "graphiql.png"))
    assert blocked == []
    assert errors == []


async def test_graphiql_opens_on_a_runnable_agentwatch_example(server: LiveServer) -> None:
    blocked: list[str] = []
    errors: list[str] = []
    async with chromium() as browser:
        page = await browser.new_page()
        await _open(page, server, blocked, errors)
        text: str = await page.evaluate(f"{EDITOR}.getValue()")
        assert "Welcome to GraphiQL" not in text
        for field in ("agents", "runs(first: 10)", "metricsSummary", "# subscription LiveRuns"):
            assert field in text, field
        # The query is valid as shown; the subscription is too once uncommented.
        assert validate(schema._schema, parse(text)) == []
        subscription = text[text.index("# subscription") :].replace("# ", "")
        assert validate(schema._schema, parse(subscription)) == []
        await page.locator(".graphiql-execute-button").click()
        body = await response_containing(page, "metricsSummary")
        assert '"support-bot"' in body and '"errors"' not in body, body
        # No inline script of ours: the example comes from a served file.
        html = await (
            await page.request.get(f"{server.url}/graphql", headers={"accept": "text/html"})
        ).text()
        assert '<script src="/static/graphiql/example_query.js"></script>' in html
    assert blocked == []
    assert errors == []
