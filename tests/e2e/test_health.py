"""GET /health reports the database; 503 when it is unreachable."""

from pathlib import Path

import httpx

from tests.support.databases import create_pg_database, drop_pg_database, pg_url
from tests.support.server import LiveServer, start_server


async def test_health_is_ok_with_database_details(live_server: LiveServer, dialect: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{live_server.url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True and body["database"]["dialect"] == dialect


async def test_health_is_503_when_the_database_goes_away(tmp_path: Path) -> None:
    # PostgreSQL only: an open SQLite file cannot be made unreachable from outside the process.
    name = await create_pg_database()
    live_server = start_server({"AGENTWATCH_DATABASE_URL": pg_url(name)}, tmp_path / "log")
    try:
        await drop_pg_database(name)
        await _expect_503(live_server)
    finally:
        live_server.stop()


async def _expect_503(live_server: LiveServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{live_server.url}/health", timeout=30)
        assert response.status_code == 503
        assert response.json()["database"]["ok"] is False
        still_serving = await client.get(
            f"{live_server.url}/graphql", headers={"accept": "text/html"}
        )
    assert still_serving.status_code == 200
