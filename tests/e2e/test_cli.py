"""The `agentwatch` command: db upgrade, export-schema, serve's safety check."""

import argparse
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentwatch.cli import build_parser, main
from services import __version__
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


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"agentwatch {__version__}"


def _actions(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {n}", a) for n, a in _actions(sub))
        yield parser.prog, action


def test_every_option_has_help() -> None:
    missing = [
        f"{where}: {action.option_strings or action.dest}"
        for where, action in _actions(build_parser())
        if not action.help or action.help == argparse.SUPPRESS
    ]
    assert missing == []


def test_flags_mirror_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "flag.db"
    env_db = tmp_path / "env.db"
    assert main(["db", "upgrade", "--database-url", f"sqlite+aiosqlite:///{db}"]) == 0
    assert db.exists() and not env_db.exists()
    parser = build_parser()
    args = parser.parse_args(["serve", "--agents-file", "x.toml", "--database-url", "sqlite://"])
    assert (args.agents_file, args.database_url) == (Path("x.toml"), "sqlite://")


def test_make_run_accepts_host_and_port() -> None:
    done = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.2", "PORT=9123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "agentwatch serve --host 127.0.0.2 --port 9123" in done.stdout


@pytest.mark.parametrize(
    ("agent_body", "key"),
    [
        ('timeout_seconds = "thirty"', "timeout_seconds"),
        ("enabled = 1", "enabled"),
        ('daily_budget_usd = "lots"', "daily_budget_usd"),
        ('[agents.triage.rate_limit]\nrequests = "ten"\nper_seconds = 60', "rate_limit.requests"),
        ("colour = 'red'", "colour"),
    ],
)
def test_serve_names_file_agent_and_key_of_a_bad_agents_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], agent_body: str, key: str
) -> None:
    agents = tmp_path / "my_agents.toml"
    agents.write_text(f'[agents.triage]\nrunnable = "tests.support.agents:echo"\n{agent_body}\n')
    code = main(
        [
            "serve",
            "--agents-file",
            str(agents),
            "--port",
            "1",
            "--database-url",
            f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert str(agents) in err and "[agents.triage]" in err and key in err, err
    assert not (tmp_path / "x.db").exists()  # refused before touching the database


def test_serve_names_an_agent_whose_runnable_cannot_be_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agents = tmp_path / "agents.toml"
    agents.write_text(
        '[agents.ok]\nrunnable = "tests.support.agents:echo"\n'
        '[agents.broken]\nrunnable = "no_such_package.agents:chain"\n'
    )
    assert main(["serve", "--agents-file", str(agents), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert all(
        part in err for part in (str(agents), "[agents.broken]", "runnable", "no_such_package")
    )
