"""Agents file parsing and loading runnables by import path."""

from pathlib import Path

import pytest
from langchain_core.runnables import Runnable

from services.agents import AgentConfigError, load_runnable, parse_agents_file
from services.platform import Platform


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agents.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_parses_specs_with_defaults(tmp_path: Path) -> None:
    specs = parse_agents_file(
        _write(
            tmp_path,
            """
[agents.a]
runnable = "tests.support.agents:echo"
[agents.b]
runnable = "tests.support.agents:fast_support_bot"
description = "B"
timeout_seconds = 2.5
enabled = false
[agents.b.metadata]
team = "x"
""",
        )
    )
    assert [s.name for s in specs] == ["a", "b"]
    assert specs[0].timeout_seconds == 60.0 and specs[0].enabled
    assert specs[1].metadata == {"team": "x"} and not specs[1].enabled
    assert specs[1].timeout_seconds == 2.5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[agents.a]\ndescription = 'no runnable'", "runnable"),
        ("[agents.'bad name']\nrunnable = 'x:y'", "invalid"),
        ("[agents.a]\nrunnable = 'x:y'\ntimeout_seconds = 0", "timeout_seconds"),
        ("[agents.a]\nrunnable = 'x:y'\ncolour = 'red'", "unknown keys"),
        ("agents = 3", "[agents.<name>]"),
        ("[agents.a\nrunnable=", "cannot read"),
    ],
)
def test_rejects_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(AgentConfigError, match=message.replace("[", r"\[").replace(".", r"\.")):
        parse_agents_file(_write(tmp_path, text))


def test_loads_runnables_and_factories() -> None:
    assert isinstance(load_runnable("tests.support.agents:echo"), Runnable)
    assert isinstance(load_runnable("services.demo.agents:support_bot"), Runnable)
    for bad, message in [
        ("tests.support.agents", "form"),
        ("no.such.module:x", "cannot import"),
        ("tests.support.agents:nothing", "cannot import"),
        ("tests.support.databases:ROOT", "neither"),
    ]:
        with pytest.raises(AgentConfigError, match=message):
            load_runnable(bad)


async def test_platform_registers_configured_agents(platform: Platform) -> None:
    agents = {a.name: a for a in await platform.registry.all()}
    assert {"support-bot", "research-agent", "summarizer", "echo"} <= set(agents)
    assert agents["disabled-bot"].enabled is False
    assert agents["sleeper"].timeout_seconds == 0.5
    assert agents["support-bot"].source == "configured"
