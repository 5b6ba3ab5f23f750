"""The `agentwatch` command: db upgrade, export-schema, serve's safety check."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.databases import ROOT


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "agentwatch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_db_upgrade_creates_the_tables_and_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    done = _cli("db", "upgrade", env={"AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert {"run", "agent", "llm_call", "alembic_version"} <= tables
    assert {
        "ix_run_started_at_id",
        "ix_run_agent_started_at_id",
        "ix_run_status_started_at_id",
    } <= indexes
    assert mode == "wal"
    again = _cli("db", "upgrade", env={"AGENTWATCH_DATABASE_URL": f"sqlite+aiosqlite:///{db}"})
    assert again.returncode == 0


def test_export_schema_prints_the_sdl() -> None:
    done = _cli("export-schema")
    assert done.returncode == 0
    assert done.stdout == (ROOT / "schema.graphql").read_text(encoding="utf-8")


def test_serve_refuses_a_public_host_without_a_key() -> None:
    done = _cli("serve", "--host", "0.0.0.0", "--port", "1", env={"AGENTWATCH_API_KEY": ""})
    assert done.returncode == 2
    assert "AGENTWATCH_API_KEY" in done.stderr and "--insecure" in done.stderr


def test_bad_settings_are_reported(tmp_path: Path) -> None:
    done = _cli("db", "upgrade", env={"AGENTWATCH_WRITE_BATCH_SIZE": "lots"})
    assert done.returncode == 2 and "AGENTWATCH_WRITE_BATCH_SIZE" in done.stderr
