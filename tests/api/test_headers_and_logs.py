"""Issue 9 §5: security headers (a CSP without inline script, GraphiQL's bootstrap served as
a file), /health details only with a key, client errors logged once without a traceback."""

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support.client import app_client
from tests.support.databases import settings_for

KEY = "headers-key"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}", api_key=KEY)
    async with app_client(settings) as (http, _app):
        yield http


async def test_pages_carry_security_headers_and_no_inline_script(
    client: httpx.AsyncClient,
) -> None:
    for path, accept in (("/", "text/html"), ("/graphql", "text/html"), ("/static/app.js", "*/*")):
        response = await client.get(path, headers={"accept": accept})
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        if accept == "text/html":
            inline = [
                s
                for s in re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
                if "src=" not in s[0] or s[1].strip()
            ]
            assert inline == [], (path, inline[:1])
    ide = (await client.get("/graphql", headers={"accept": "text/html"})).text
    src = re.search(r'<script src="(/static/graphiql-bootstrap\.js)"', ide)
    assert src is not None
    bootstrap = await client.get(src.group(1))
    assert bootstrap.status_code == 200 and "GraphiQL" in bootstrap.text
    assert bootstrap.headers["content-type"].startswith("text/javascript")


async def test_health_details_need_the_key(client: httpx.AsyncClient) -> None:
    public = await client.get("/health")
    assert public.json() == {"status": "ok"}
    detailed = (await client.get("/health", headers={"authorization": f"Bearer {KEY}"})).json()
    assert detailed["database"]["ok"] is True and "version" in detailed


async def test_client_errors_are_logged_once_without_a_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    auth = {"authorization": f"Bearer {KEY}"}
    requests = [
        {"query": "{ agents { nope } }"},
        {"query": "{ agents { name "},
        {
            "query": 'mutation { recordRun(input: {agent: "a", status: SUCCESS, inputTokens: -1})'
            " { id } }"
        },
        {
            "query": "query($d: DateTime) { runs(since: $d) { edges { cursor } } }",
            "variables": {"d": "0001-01-01T00:00:00+05:00"},
        },
    ]
    with caplog.at_level(logging.DEBUG):
        for body in requests:
            response = await client.post("/graphql", json=body, headers=auth)
            assert response.json()["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR"
        await client.post("/graphql", json={"query": "{ agents { name } }"})  # no key
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert noisy == [], [r.getMessage()[:200] for r in noisy]
    client_lines = [r for r in caplog.records if r.getMessage().startswith("client error")]
    assert len(client_lines) == len(requests)
