"""Issue 9 §6: API keys with scopes, stored hashed, managed by `agentwatch keys`, each with
its own ingestion limit; AGENTWATCH_API_KEY stays an admin key; scopes on HTTP and WS."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from agentwatch.cli import main
from services.api_keys import Scope
from services.platform import Platform
from tests.support.client import GraphQLWebSocket, app_client, gql
from tests.support.databases import settings_for
from tests.support.server import start_server

RECORD = 'mutation { recordRun(input: {agent: "k", status: SUCCESS}) { id } }'
READ = "{ runs { edges { cursor } } }"
ADMIN = 'mutation { setModelAlias(alias: "a1", model: "gpt-4o") { alias } }'
ENV_KEY = "env-admin-key"


async def test_keys_are_stored_hashed_and_revocable(platform: Platform) -> None:
    key_id, key = await platform.api_keys.create("wall", frozenset({Scope.READ}))
    async with platform.engine.connect() as conn:
        dump = str((await conn.execute(sa.text("SELECT * FROM api_key"))).all())
    assert key_id in dump and key.rsplit("_", 1)[1] not in dump
    principal = await platform.api_keys.resolve(key)
    assert principal is not None and principal.scopes == {Scope.READ}
    assert await platform.api_keys.resolve(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert await platform.api_keys.revoke(key_id)
    assert await platform.api_keys.resolve(key) is None
    assert not await platform.api_keys.revoke(key_id)


@pytest.fixture
async def keyed_app(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'k.db'}", api_key=ENV_KEY)
    async with app_client(settings) as pair:
        yield pair


async def _post(client: httpx.AsyncClient, query: str, key: str | None) -> dict[str, Any]:
    headers = {} if key is None else {"authorization": f"Bearer {key}"}
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    body: dict[str, Any] = response.json()
    body["_status"] = response.status_code
    return body


def _code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def test_scopes_apply_to_every_operation(
    keyed_app: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, app = keyed_app
    keys = app.state.platform.api_keys
    _, reader = await keys.create("wall", frozenset({Scope.READ}))
    _, agent = await keys.create("agent", frozenset({Scope.INGEST}))
    _, admin = await keys.create("ops", frozenset({Scope.ADMIN}))
    expected = {  # (query, key) -> code (None: allowed)
        (READ, reader): None,
        (RECORD, reader): "FORBIDDEN",
        (ADMIN, reader): "FORBIDDEN",
        (READ, agent): "FORBIDDEN",
        (RECORD, agent): None,
        (ADMIN, agent): "FORBIDDEN",
        ('mutation { deleteAlertRule(id: "1") }', agent): "FORBIDDEN",
        (READ, admin): None,
        (RECORD, admin): None,
        (ADMIN, admin): None,
        (READ, ENV_KEY): None,
        (RECORD, ENV_KEY): None,
        (ADMIN, ENV_KEY): None,
        (READ, None): "UNAUTHENTICATED",
        (READ, "aw_nope_nope"): "UNAUTHENTICATED",
    }
    for (query, key), code in expected.items():
        assert _code(await _post(client, query, key)) == code, (query, key)
    mixed = await _post(client, "{ agents { name } } ", agent)
    assert _code(mixed) == "FORBIDDEN"


async def test_each_key_has_its_own_ingestion_limit(
    keyed_app: tuple[httpx.AsyncClient, Starlette],
) -> None:
    client, app = keyed_app
    keys = app.state.platform.api_keys
    _, slow = await keys.create("slow", frozenset({Scope.INGEST}), 0.001, 1)
    _, other = await keys.create("other", frozenset({Scope.INGEST}))
    assert _code(await _post(client, RECORD, slow)) is None
    assert _code(await _post(client, RECORD, slow)) == "RATE_LIMITED"
    assert _code(await _post(client, RECORD, other)) is None  # same address, own bucket


def test_keys_cli_create_list_revoke(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENTWATCH_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    assert (
        main(
            [
                "keys",
                "create",
                "--name",
                "agent-7",
                "--scope",
                "ingest",
                "--scope",
                "read",
                "--ingest-rate",
                "5",
                "--ingest-burst",
                "10",
            ]
        )
        == 0
    )
    created = capsys.readouterr().out
    key = created.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    assert key.startswith("aw_")
    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert key_id in listed and "ingest,read" in listed and "5.0/s" in listed
    assert key.rsplit("_", 1)[1] not in listed
    assert main(["keys", "revoke", key_id]) == 0
    assert main(["keys", "revoke", key_id]) == 1
    assert main(["keys", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["keys", "create", "--name", "x", "--scope", "read", "--ingest-rate", "0"]) == 2


async def test_scopes_apply_over_websockets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    monkeypatch.setenv("AGENTWATCH_DATABASE_URL", url)
    keys = {}
    for scope in ("read", "ingest"):
        cli = ["keys", "create", "--name", scope, "--scope", scope]
        assert await asyncio.to_thread(main, cli) == 0
        keys[scope] = capsys.readouterr().out.strip().splitlines()[-1]
    server = await asyncio.to_thread(
        start_server, {"AGENTWATCH_DATABASE_URL": url}, tmp_path / "log"
    )
    try:
        reader = {"Authorization": f"Bearer {keys['read']}"}
        agent = {"Authorization": f"Bearer {keys['ingest']}"}
        async with GraphQLWebSocket(server.ws_url, agent) as ws:
            op = await ws.subscribe("subscription { runRecorded { id } }")
            refused = await ws.next_payload(op)
            assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
        async with GraphQLWebSocket(server.ws_url, reader) as ws:
            op = await ws.subscribe("subscription { runRecorded { id } }")
            await ws.send({"id": "m", "type": "subscribe", "payload": {"query": RECORD}})
            payload = await ws.next_payload("m")
            assert payload["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            stored = await gql(
                server.url, RECORD, headers={"Authorization": agent["Authorization"]}
            )
            assert stored["data"]["recordRun"]["id"]
            assert (await ws.next_payload(op))["data"]["runRecorded"]["id"]
        no_key = await gql(server.url, READ)
        assert no_key["_status"] == 401
    finally:
        server.stop()
