"""Shared fixtures: a real database per dialect, the core platform, a live uvicorn server."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from services.platform import Platform

if TYPE_CHECKING:
    from tests.support.client import InProcessServer

from tests.support.clock import NOW, FakeClock
from tests.support.databases import create_pg_database, drop_pg_database, pg_url, settings_for
from tests.support.server import LiveServer, start_server


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database on each dialect (the `dialect` fixture of the issue)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'agentwatch.db'}"
        return
    name = await create_pg_database()
    try:
        yield pg_url(name)
    finally:
        await drop_pg_database(name)


@pytest.fixture
def dialect(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    core = await Platform.start(settings_for(database_url))
    try:
        yield core
    finally:
        await core.stop()


@pytest.fixture
async def core(database_url: str) -> AsyncIterator[Platform]:
    """The platform on a `FakeClock` pinned at `NOW`, with the alert loop effectively off."""
    settings = settings_for(database_url, alert_tick_seconds=3600.0)
    platform = await Platform.start(settings, FakeClock(NOW))
    try:
        yield platform
    finally:
        await platform.stop()


@pytest.fixture
async def api_server(database_url: str) -> AsyncIterator["InProcessServer"]:
    """The whole app in this process (no socket) on each dialect: the default for API tests;
    `live_server` only where the wire, a process or WebSockets are what is tested."""
    from tests.support.client import in_process_server

    async with in_process_server(settings_for(database_url)) as server:
        yield server


@pytest.fixture
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    # Every test client shares 127.0.0.1; some open hundreds of WebSockets on purpose.
    env = {
        "AGENTWATCH_DATABASE_URL": database_url,
        "AGENTWATCH_WS_MAX_CONNECTIONS_PER_CLIENT": "1000",
    }
    server = start_server(env, tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()
