"""Issue 9 §7: bounded property-based fuzzing of every query and mutation (hypothesis-graphql),
on SQLite and PostgreSQL: no 5xx, every error coded, nothing internal leaks into messages.

A few hundred examples per run keep CI fast; hypothesis prints the failing query to replay."""

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from graph.schema import schema
from tests.support.client import app_client
from tests.support.databases import settings_for

SDL = schema.as_str()
EXAMPLES = 120
INTERNAL_WORDS = ("traceback", "sqlalchemy", "asyncpg", "sqlite3", 'file "/', "psycopg")


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


# Aware datetimes from year 1 to 9999 in any zone, half of them at the edges of the range with
# an offset: those used to overflow when converted to UTC ("date value out of range").
EDGE_DATETIMES = st.builds(
    lambda edge, minutes: edge.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.sampled_from([datetime.min, datetime.max]),
    st.integers(min_value=-23 * 60, max_value=23 * 60),
)
SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "DateTime": st.one_of(EDGE_DATETIMES, st.datetimes(timezones=st.timezones())).map(
        lambda d: _string(d.isoformat())
    ),
    "Date": st.dates().map(lambda d: _string(d.isoformat())),
    "JSON": st.text(max_size=50).map(_string),
}


def check_answer(response: httpx.Response, query: str) -> None:
    assert response.status_code < 500, (response.status_code, query)
    body: dict[str, Any] = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code and code != "INTERNAL_SERVER_ERROR", (error, query)
        assert not any(word in error["message"].lower() for word in INTERNAL_WORDS), error


@pytest.mark.timeout(600)  # ~40 s on an idle 2-core machine; generous for a loaded CI box
async def test_fuzzed_operations_never_fail_internally(database_url: str) -> None:
    async with app_client(settings_for(database_url)) as (client, _app):
        loop = asyncio.get_running_loop()

        def post(query: str) -> httpx.Response:
            future = asyncio.run_coroutine_threadsafe(
                client.post("/graphql", json={"query": query}), loop
            )
            return future.result(timeout=120)

        strategies = st.one_of(
            from_schema(SDL, custom_scalars=SCALARS),
            from_schema(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(query=strategies)
        def fuzz(query: str) -> None:
            check_answer(post(query), query)

        # Hypothesis drives a thread; the app keeps serving on this loop meanwhile.
        await asyncio.to_thread(fuzz)
