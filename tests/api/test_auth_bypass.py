"""Issue 9 §1: with a key configured, nothing but static assets, bare /health and the empty
GraphiQL page is served without it, whatever the method, encoding, Accept header or path.

Before the fix, `GET /graphql?%71uery=...` with `Accept: text/html` answered any query: the
check matched the raw text `query=` while Strawberry decodes the parameter name."""

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support.client import app_client
from tests.support.databases import settings_for

KEY = "bypass-test-key"
QUERY = "{ agents { name } alertRules { webhookUrl } }"
ACCEPTS = [
    None,
    "text/html",
    "*/*",
    "application/json",
    "text/html,application/xhtml+xml",
    "multipart/mixed",
    "text/event-stream",
    "application/graphql-response+json",
]
# The query parameter name in every spelling a decoder may accept.
QUERY_STRINGS = [
    "query={q}",
    "%71uery={q}",
    "%71%75%65%72%79={q}",
    "qu%65ry={q}",
    "query={q}&query=",
    "x=1&query={q}",
    "query={q}&variables=%7B%7D",
    "operationName=&%71uery={q}",
    "query%00={q}",
    "query[]={q}",
    "%71uery={q}&a",
    ";query={q}",
]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", api_key=KEY)
    async with app_client(settings) as (http, _app):
        yield http


def leaked(response: httpx.Response) -> bool:
    """Whether the answer carries data from the API (agents or rules)."""
    return '"agents"' in response.text or "webhookUrl" in response.text


async def test_percent_encoded_query_parameter_needs_the_key(client: httpx.AsyncClient) -> None:
    encoded = QUERY.replace(" ", "%20").replace("{", "%7B").replace("}", "%7D")
    response = await client.get(f"/graphql?%71uery={encoded}", headers={"accept": "text/html"})
    assert response.status_code == 401, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_no_get_encoding_or_accept_header_reads_without_the_key(
    client: httpx.AsyncClient,
) -> None:
    encoded = httpx.QueryParams({"q": QUERY}).__str__().removeprefix("q=")
    for template, accept in itertools.product(QUERY_STRINGS, ACCEPTS):
        headers = {} if accept is None else {"accept": accept}
        url = "/graphql?" + template.format(q=encoded)
        response = await client.get(url, headers=headers)
        assert response.status_code == 401 and not leaked(response), (url, accept, response.text)


async def test_every_method_and_content_type_needs_the_key(client: httpx.AsyncClient) -> None:
    json_body = {"query": QUERY}
    for method, accept in itertools.product(
        ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"], ACCEPTS
    ):
        headers = {} if accept is None else {"accept": accept}
        attempts = [
            client.request(method, "/graphql", json=json_body, headers=headers),
            client.request(method, "/graphql", data={"query": QUERY}, headers=headers),
            client.request(method, "/graphql", files={"query": (None, QUERY)}, headers=headers),
            client.request(
                method,
                "/graphql",
                content=QUERY,
                headers={**headers, "content-type": "application/graphql"},
            ),
        ]
        for attempt in attempts:
            response = await attempt
            assert response.status_code == 401 and not leaked(response), (method, accept)


async def test_other_paths_never_reach_graphql_without_the_key(client: httpx.AsyncClient) -> None:
    for path in [
        "/graphql/",
        "//graphql",
        "/GRAPHQL",
        "/graphql%2F",
        "/static/../graphql",
        "/graphql;x",
        "/./graphql",
    ]:
        response = await client.get(f"{path}?query={QUERY}", headers={"accept": "text/html"})
        posted = await client.post(path, json={"query": QUERY})
        for answer in (response, posted):
            # 200 only for the dashboard page a path may normalise to, never for GraphQL.
            assert (
                not leaked(answer)
                and "application/json" not in answer.headers.get("content-type", "")
            ) or answer.status_code in {401, 404, 405}, (path, answer.status_code)


async def test_public_parts_stay_public_and_hold_no_data(client: httpx.AsyncClient) -> None:
    ide = await client.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 200 and "graphiql" in ide.text.lower() and not leaked(ide)
    assert (await client.get("/")).status_code == 200
    assert (await client.get("/static/app.js")).status_code == 200
    health = await client.get("/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    detailed = await client.get("/health", headers={"authorization": f"Bearer {KEY}"})
    assert detailed.json()["database"]["ok"] is True


async def test_the_key_opens_every_supported_way(client: httpx.AsyncClient) -> None:
    auth = {"authorization": f"Bearer {KEY}"}
    via_get = await client.get("/graphql", params={"query": QUERY}, headers=auth)
    via_post = await client.post("/graphql", json={"query": QUERY}, headers=auth)
    for response in (via_get, via_post):
        assert response.status_code == 200 and response.json()["data"]["agents"]
