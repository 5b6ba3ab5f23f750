"""Test databases: a fresh PostgreSQL database per test; skip or fail when a service is down."""

import os
import uuid
from pathlib import Path

import asyncpg
import pytest

from services.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
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


def settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": database_url, "agents_file": TEST_AGENTS}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
