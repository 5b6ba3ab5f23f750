"""Agents by import path: read the agents file, build the runnables, mirror them in the DB.

Code is only ever loaded from the agents file an operator controls; the API can change an
agent's settings but never what code it runs.
"""

import dataclasses
import importlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from langchain_core.runnables import Runnable
from sqlalchemy.ext.asyncio import AsyncEngine

from models import AgentConfig
from models.dialect import insert_for
from services.agent_update import AgentUpdate, policy_from_toml, policy_to_json
from services.clock import Clock
from services.errors import AgentNotFound, AgentWatchError
from services.rate_limit import RateLimitPolicy
from services.validation import agent_name

agent_table = AgentConfig.__table__  # type: ignore[attr-defined]
DEFAULT_TIMEOUT_SECONDS = 60.0
MAX_TIMEOUT_SECONDS = 3600.0
_KNOWN_KEYS = {"runnable", "description", "model", "timeout_seconds", "enabled", "metadata",
               "daily_budget_usd", "monthly_budget_usd", "rate_limit"}  # fmt: skip


class AgentConfigError(ValueError):
    """The agents file is malformed or names code that cannot be loaded."""


@dataclass(frozen=True)
class AgentSpec:
    """An agent as declared in the agents file."""

    name: str
    runnable_path: str
    description: str = ""
    model: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    enabled: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)
    # None: not set in the file (a budget set through the API is then kept).
    daily_budget_usd: Decimal | None = None
    monthly_budget_usd: Decimal | None = None
    rate_limit: RateLimitPolicy | None = None


def _bad(where: str, key: str, problem: str, value: object = None) -> AgentConfigError:
    """One line naming the file, the agent (or table) and the key: `<file> [agents.x] key: ...`."""
    got = "" if value is None else f", got {value!r}"
    return AgentConfigError(f"{where} {key}: {problem}{got}")


def _budget_value(where: str, body: dict[str, Any], key: str) -> Decimal | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _bad(where, key, "must be a number of USD", value)
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise _bad(where, key, "must be a number of USD", value) from exc
    if not amount.is_finite() or amount < 0:
        raise _bad(where, key, "must be >= 0", value)
    return amount


def _number(where: str, body: dict[str, Any], key: str, default: float) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(where, key, "must be a number (no quotes)", value)
    return float(value)


def _typed(where: str, body: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = body.get(key, default)
    if value is not None and not isinstance(value, kind):
        names = {str: "a string", bool: "true or false", dict: "a table"}
        raise _bad(where, key, f"must be {names.get(kind, kind.__name__)}", value)
    return value


def parse_overall_budget(path: Path) -> tuple[Decimal | None, Decimal | None] | None:
    """The optional top-level `[budget]` table (daily_usd, monthly_usd) of the agents file."""
    data = _read(path)
    body = data.get("budget")
    if body is None:
        return None
    if not isinstance(body, dict) or set(body) - {"daily_usd", "monthly_usd"}:
        keys = sorted(body) if isinstance(body, dict) else body
        raise _bad(f"{path} [budget]", "keys", "only daily_usd and monthly_usd are allowed", keys)
    where = f"{path} [budget]"
    return _budget_value(where, body, "daily_usd"), _budget_value(where, body, "monthly_usd")


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AgentConfigError(f"cannot read agents file {path}: {exc}") from exc


def parse_agents_file(path: Path) -> list[AgentSpec]:
    """Every `[agents.<name>]` of the file; AgentConfigError names file, agent and key."""
    data = _read(path)
    agents = data.get("agents")
    if not isinstance(agents, dict):
        raise AgentConfigError(f"{path}: expected an [agents.<name>] table per agent")
    return [_spec(path, name, body) for name, body in agents.items()]


def _spec(path: Path, name: str, body: Any) -> AgentSpec:
    where = f"{path} [agents.{name}]"
    try:
        agent_name(name)
    except AgentWatchError as exc:
        raise _bad(where, "name", exc.message) from exc
    if not isinstance(body, dict) or not isinstance(body.get("runnable"), str):
        got = body.get("runnable") if isinstance(body, dict) else body
        raise _bad(where, "runnable", 'must be "package.module:attribute"', got)
    unknown = set(body) - _KNOWN_KEYS
    if unknown:
        raise _bad(
            where, ", ".join(sorted(unknown)), f"unknown keys (known: {sorted(_KNOWN_KEYS)})"
        )
    timeout = _number(where, body, "timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
    if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
        raise _bad(where, "timeout_seconds", f"must be in (0, {MAX_TIMEOUT_SECONDS:g}]", timeout)
    return AgentSpec(
        name=name,
        runnable_path=body["runnable"],
        description=_typed(where, body, "description", str, ""),
        model=_typed(where, body, "model", str, None),
        timeout_seconds=timeout,
        enabled=_typed(where, body, "enabled", bool, True),
        metadata=_typed(where, body, "metadata", dict, {}),
        daily_budget_usd=_budget_value(where, body, "daily_budget_usd"),
        monthly_budget_usd=_budget_value(where, body, "monthly_budget_usd"),
        rate_limit=_rate_limit(where, body.get("rate_limit")),
    )


def _rate_limit(where: str, data: Any) -> RateLimitPolicy | None:
    if data is None:
        return None
    try:
        return policy_from_toml(data, f"{where} rate_limit")
    except ValueError as exc:
        raise AgentConfigError(str(exc)) from exc


def load_runnable(path: str) -> Runnable[Any, Any]:
    """Import `package.module:attribute`; call it if it is a zero-argument factory."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise AgentConfigError(f"{path!r} is not of the form package.module:attribute")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise AgentConfigError(f"cannot import {path!r}: {exc}") from exc
    if not isinstance(target, Runnable) and callable(target):
        target = target()
    if not isinstance(target, Runnable):
        raise AgentConfigError(f"{path!r} is neither a LangChain Runnable nor a factory of one")
    return target


def runnable_of(spec: AgentSpec, source: Path | None = None) -> Runnable[Any, Any]:
    """`load_runnable` with the agents file and agent named in its error."""
    try:
        return load_runnable(spec.runnable_path)
    except AgentConfigError as exc:
        raise _bad(f"{source or 'agents file'} [agents.{spec.name}]", "runnable", str(exc)) from exc


@dataclass(frozen=True)
class RegisteredAgent:
    spec: AgentSpec
    runnable: Runnable[Any, Any]


class AgentRegistry:
    """Executable agents in memory, every agent (also external ones) in the `agent` table."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._executable: dict[str, RegisteredAgent] = {}
        self._known: set[str] = set()
        self._insert = insert_for(engine)

    def executable(self, name: str) -> RegisteredAgent | None:
        return self._executable.get(name)

    def is_known(self, name: str) -> bool:
        return name in self._known

    async def load(self, specs: Iterable[AgentSpec], source: Path | None = None) -> None:
        """Import every agent's runnable, then upsert the configured agents in one transaction.

        An agent whose runnable cannot be loaded raises AgentConfigError naming `source` (the
        agents file), the agent and the `runnable` key.
        """
        loaded = {spec.name: RegisteredAgent(spec, runnable_of(spec, source)) for spec in specs}
        now = self._clock.now()
        async with self._engine.begin() as conn:
            for agent in loaded.values():
                values = _row(agent.spec, now)
                stmt = self._insert(agent_table).values(values)
                updates = {k: v for k, v in values.items() if k not in {"name", "created_at"}}
                await conn.execute(
                    stmt.on_conflict_do_update(index_elements=["name"], set_=updates)
                )
            names = (await conn.execute(sa.select(agent_table.c.name))).scalars().all()
        self._executable = loaded
        self._known = set(names)

    async def ensure_external(self, names: Iterable[str]) -> None:
        """Register agents first seen through `recordRun` (never an error for the caller)."""
        missing = {name for name in names if name not in self._known}
        if not missing:
            return
        now = self._clock.now()
        rows: list[dict[str, Any]] = [
            {"name": name, "description": "", "model": None, "enabled": True,
             "source": "external", "timeout_seconds": DEFAULT_TIMEOUT_SECONDS,
             "metadata": {}, "created_at": now, "updated_at": now}
            for name in sorted(missing)
        ]  # fmt: skip
        async with self._engine.begin() as conn:
            await conn.execute(self._insert(agent_table).on_conflict_do_nothing(), rows)
        self._known |= missing

    async def update(self, name: str, update: AgentUpdate) -> AgentConfig:
        """Apply `update` to the stored agent and, for executable ones, to the next run."""
        columns = update.validate().columns()
        async with self._engine.begin() as conn:
            result = await conn.execute(
                sa.update(agent_table)
                .where(agent_table.c.name == name)
                .values(**columns, updated_at=self._clock.now())
            )
        if not result.rowcount:
            raise AgentNotFound(f"no agent named {name[:100]!r}", agent=name)
        config = await self.get(name)
        assert config is not None
        if (current := self._executable.get(name)) is not None:
            spec = dataclasses.replace(current.spec, enabled=config.enabled,
                                       description=config.description,
                                       timeout_seconds=config.timeout_seconds)  # fmt: skip
            self._executable[name] = RegisteredAgent(spec, current.runnable)
        return config

    async def get(self, name: str) -> AgentConfig | None:
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(sa.select(agent_table).where(agent_table.c.name == name)))
                .mappings()
                .first()
            )
        return None if row is None else _config(row)

    async def all(self) -> list[AgentConfig]:
        async with self._engine.connect() as conn:
            rows = (
                (await conn.execute(sa.select(agent_table).order_by(agent_table.c.name)))
                .mappings()
                .all()
            )
        return [_config(row) for row in rows]


def _row(spec: AgentSpec, now: Any) -> dict[str, Any]:
    # Keys the file does not set keep what the API stored (budgets, rate limit).
    budgets = {name: value for name, value in (("daily_budget_usd", spec.daily_budget_usd),
               ("monthly_budget_usd", spec.monthly_budget_usd),
               ("rate_limit", policy_to_json(spec.rate_limit))) if value is not None}  # fmt: skip
    return {
        **budgets,
        "name": spec.name,
        "description": spec.description,
        "model": spec.model,
        "enabled": spec.enabled,
        "source": "configured",
        "timeout_seconds": spec.timeout_seconds,
        "metadata": spec.metadata,
        "created_at": now,
        "updated_at": now,
    }


def _config(row: Any) -> AgentConfig:
    data = dict(row)
    data["agent_metadata"] = data.pop("metadata")
    return AgentConfig.model_validate(data)
