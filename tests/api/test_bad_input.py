"""Issue 9 §2-3: bad input gets a coded 4xx-style error and writes nothing, on SQLite and
PostgreSQL; HTTP-level junk never becomes a bare 500; nothing echoes huge input."""

import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from services.platform import Platform
from services.records import RunRecord, RunStatus
from tests.support.client import app_client
from tests.support.databases import settings_for

BATCH = "mutation($runs: [RecordRunInput!]!) { recordRuns(runs: $runs) { count } }"
COUNT = "query($a: String) { metricsSummary(agent: $a) { count } }"


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings_for(database_url)) as (http, _app):
        yield http


async def post(client: httpx.AsyncClient, query: str, variables: Any = None) -> dict[str, Any]:
    # json.dumps escapes non-ASCII, so lone surrogates travel as `\ud800` like any client's.
    raw = json.dumps({"query": query, "variables": variables or {}})
    response = await client.post(
        "/graphql", content=raw, headers={"content-type": "application/json"}
    )
    body: dict[str, Any] = response.json()
    body["_status"] = response.status_code
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


async def stored(client: httpx.AsyncClient, agent: str) -> int:
    count: int = (await post(client, COUNT, {"a": agent}))["data"]["metricsSummary"]["count"]
    return count


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"costUsd": 9.3e6}, "costUsd"),  # inside the old 1e9 cap, overflowing BIGINT picos
        ({"model": "gpt\ud800"}, "model"),  # a lone surrogate neither database can store
        ({"model": "gpt\x00-4o"}, "model"),  # NUL: PostgreSQL refuses it in text
        ({"error": {"message": "bo\x00om"}, "status": "ERROR"}, "error"),
        ({"input": {"k\x00": 1}}, "input"),  # NUL in a JSON key (JSONB refuses it)
        # Longer than llm_call.provider's VARCHAR(100): PostgreSQL refused the whole write.
        ({"calls": [{"model": "m", "provider": "p" * 300}]}, "provider"),
        (
            {
                "calls": [
                    {"model": "m", "inputTokens": 100_000_000, "outputTokens": 0, "costUsd": 2e6}
                ]
            },
            "costUsd",
        ),
    ],
)
async def test_a_batch_with_one_unstorable_run_stores_none(
    client: httpx.AsyncClient, bad: dict[str, Any], field: str
) -> None:
    agent = f"b-{uuid.uuid4().hex[:6]}"
    runs: list[dict[str, Any]] = [{"agent": agent, "status": "SUCCESS"} for _ in range(10)]
    runs[7] = {**runs[7], **bad}
    body = await post(client, BATCH, {"runs": runs})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert field in body["errors"][0]["message"] + str(body["errors"][0]["extensions"])
    assert await stored(client, agent) == 0


async def test_the_writer_commits_one_batch_in_one_transaction(platform: Platform) -> None:
    """Even a failure validation cannot foresee fails the whole batch, never 9 of 10."""
    agent = f"w-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    runs = [
        RunRecord(
            id=str(uuid.uuid4()), agent=agent, status=RunStatus.SUCCESS, started_at=now, calls=()
        )
        for _ in range(10)
    ]
    # 1e7 USD is 1e19 picodollars: every database refuses it at write time.
    runs[9] = RunRecord(
        id=str(uuid.uuid4()),
        agent=agent,
        status=RunStatus.SUCCESS,
        started_at=now,
        calls=(),
        cost_usd=Decimal(10**7),
    )
    await platform.registry.ensure_external([agent])
    with pytest.raises(Exception):  # noqa: B017 - the driver's own overflow error
        await platform.writer.insert_many(runs)
    summary = await platform.writer.transact(_count_runs(agent))
    assert summary == 0
    assert await platform.writer.insert_many(runs[:9]) == [True] * 9


def _count_runs(agent: str) -> Any:
    import sqlalchemy as sa

    from models.tables import run_table

    async def count(conn: Any) -> int:
        query = sa.select(sa.func.count()).where(run_table.c.agent == agent)
        return int((await conn.execute(query)).scalar_one())

    return count


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+00:00"]
)
async def test_dates_at_the_edge_of_the_range_are_bad_input(
    client: httpx.AsyncClient, value: str
) -> None:
    queries = [
        ("query($d: DateTime) { runs(since: $d) { edges { cursor } } }", {"d": value}),
        ("query($d: DateTime) { runs(until: $d) { edges { cursor } } }", {"d": value}),
        ("query($d: DateTime) { costSummary(since: $d) { totalUsd } }", {"d": value}),
        (
            'mutation($d: DateTime) { setModelPrice(input: {model: "m", inputPerMillion: 1, '
            "outputPerMillion: 1, effectiveFrom: $d}) { model } }",
            {"d": value},
        ),
    ]
    for query, variables in queries:
        body = await post(client, query, variables)
        assert codes(body) == ["BAD_USER_INPUT"], (query, body)
    import base64

    cursor = base64.urlsafe_b64encode(f"{value}|x".encode()).decode().rstrip("=")
    body = await post(
        client, "query($c: String) { runs(after: $c) { edges { cursor } } }", {"c": cursor}
    )
    assert codes(body) == ["BAD_USER_INPUT"], body


async def test_http_junk_gets_a_coded_4xx(client: httpx.AsyncClient) -> None:
    cases = [
        b"42",
        b"[]",
        b'"query"',
        b"\xff\xfe{}",
        b'{"query": "{ agents { name } }", "variables": 3}',
        b'{"query": 5}',
        b'{"query": "{ agents { name } }", "operationName": 7}',
        ("{" * 2000).encode(),
    ]
    for raw in cases:
        response = await client.post(
            "/graphql", content=raw, headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (raw[:40], response.status_code)
        assert response.json()["errors"][0]["extensions"]["code"], raw[:40]
    nested = '{"a": ' * 1000 + "1" + "}" * 1000
    text = '{"query": "query($v: String) { agents { name } }", "variables": {"v": ' + nested + "}}"
    deep = await client.post("/graphql", content=text, headers={"content-type": "application/json"})
    assert deep.status_code == 400 and codes(deep.json()) == ["BAD_USER_INPUT"]
    sub = await post(client, "subscription { runRecorded { id } }")
    assert 400 <= sub["_status"] < 500 and codes(sub) == ["BAD_REQUEST"]
    get_mutation = await client.get(
        "/graphql", params={"query": 'mutation { deleteModelAlias(alias: "x") }'}
    )
    assert 400 <= get_mutation.status_code < 500
    assert get_mutation.json()["errors"][0]["extensions"]["code"]
    form = await client.post("/graphql", data={"query": "{ agents { name } }"})
    assert form.status_code == 415 and form.json()["errors"][0]["extensions"]["code"]


async def test_huge_input_is_not_echoed_in_answers_or_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = "x" * 5_000_000
    with caplog.at_level(logging.DEBUG):
        body = await post(client, "{ " + token + " }")
        bad_var = await post(
            client, "query($d: DateTime) { runs(since: $d) { edges { cursor } } }", {"d": token}
        )
    for answer in (body, bad_var):
        assert len(str(answer)) < 2000 and codes(answer), str(answer)[:200]
    assert all(len(r.getMessage()) < 2000 for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_an_overlong_list_is_refused_before_conversion(client: httpx.AsyncClient) -> None:
    runs = [{"agent": "a", "status": "SUCCESS"}] * 100_000
    body = await post(client, BATCH, {"runs": runs})
    # Refused by the request gate (HTTP 400), before Strawberry converts 100k inputs.
    assert body["_status"] == 400 and codes(body) == ["BAD_USER_INPUT"]
    assert "at most 1000" in body["errors"][0]["message"]
