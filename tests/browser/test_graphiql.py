"""GraphiQL at /graphql renders and runs queries with the network offline (real Chromium)."""

from pathlib import Path

from playwright.async_api import Route

from tests.support.browser import chromium
from tests.support.server import LiveServer, start_server


async def test_graphiql_renders_and_queries_offline(tmp_path: Path) -> None:
    server: LiveServer = start_server(
        {"AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'g.db'}"},
        tmp_path / "server.log",
    )
    blocked: list[str] = []
    errors: list[str] = []

    async def offline(route: Route) -> None:
        if route.request.url.startswith(server.url) or route.request.url.startswith("data:"):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    try:
        async with chromium() as browser:
            page = await browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.route("**/*", offline)
            await page.goto(f"{server.url}/graphql")
            await page.wait_for_selector(".graphiql-container", timeout=15_000)
            editor = page.locator(".graphiql-query-editor .CodeMirror").first
            await editor.click()
            await page.evaluate(
                "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
                ".setValue('{ agents { name } }')"
            )
            await page.locator(".graphiql-execute-button").click()
            result = page.locator(".graphiql-response")
            await result.get_by_text("support-bot").wait_for(timeout=10_000)
            await page.screenshot(path=str(tmp_path / "graphiql.png"))
    finally:
        server.stop()
    assert blocked == []
    assert errors == []
