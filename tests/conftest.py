"""Shared fixtures: a real database per dialect, the core platform, a live uvicorn server."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from agentwatch.settings import Settings
from services.platform import Platform

ROOT = Path(__file__).resolve().parent.parent
TEST_AGENTS = ROOT / "tests" / "data" / "agents.toml"
POSTGRES_ADMIN_URL = os.environ.get(
    "AGENTWATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(service: str, reason: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it must be there."""
    message = f"{service} is not reachable ({reason}); start it or see README 'Running the tests'"
    if IN_CI:
        pytest.fail(f"CI requires {message}")
    pytest.skip(message)


async def create_pg_database() -> str:
    name = f"aw_test_{uuid.uuid4().hex[:12]}"
    try:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        unavailable("PostgreSQL", f"{POSTGRES_ADMIN_URL}: {exc}")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name


async def drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def pg_url(name: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


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


def settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": database_url, "agents_file": TEST_AGENTS}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    core = await Platform.start(settings_for(database_url))
    try:
        yield core
    finally:
        await core.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A real `agentwatch serve` process on 127.0.0.1."""

    url: str
    ws_url: str
    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(
    env_overrides: dict[str, str], log_path: Path, port: int | None = None
) -> LiveServer:
    port = port or free_port()
    # Start from a clean slate: no tracing or AgentWatch settings leak in from the caller.
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("LANGSMITH_", "LANGCHAIN_", "AGENTWATCH_"))}  # fmt: skip
    env = {**base, "AGENTWATCH_AGENTS_FILE": str(TEST_AGENTS), **env_overrides}
    env.setdefault("PYTHONPATH", str(ROOT))
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "agentwatch", "serve", "--port", str(port),
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql",
                        process, env, log_path)  # fmt: skip
    # Generous: a loaded CI machine can take many seconds to import and migrate.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not become healthy:\n{server.log()}")


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
