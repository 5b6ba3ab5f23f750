"""The agent registry: executable agents in memory, every agent mirrored in the `agent` table."""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from langchain_core.runnables import Runnable
from sqlalchemy.ext.asyncio import AsyncEngine

from models.dialect import insert_for
from models.tables import agent_table
from services.agents.agents_file import (
    DEFAULT_TIMEOUT_SECONDS,
    AgentSpec,
    load_runnable,
)
from services.agents.record import AgentRecord, agent_from_row
from services.agents.update import AgentUpdate, policy_to_json
from services.clock import Clock
from services.errors import AgentNotFound


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

    async def load(self, specs: Iterable[AgentSpec]) -> None:
        """Import every agent's runnable, then upsert the configured agents in one transaction."""
        loaded = {
            spec.name: RegisteredAgent(spec, load_runnable(spec.runnable_path)) for spec in specs
        }
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
            {
                "name": name,
                "description": "",
                "model": None,
                "enabled": True,
                "source": "external",
                "timeout_seconds": DEFAULT_TIMEOUT_SECONDS,
                "metadata": {},
                "created_at": now,
                "updated_at": now,
            }
            for name in sorted(missing)
        ]
        async with self._engine.begin() as conn:
            await conn.execute(self._insert(agent_table).on_conflict_do_nothing(), rows)
        self._known |= missing

    async def update(self, name: str, update: AgentUpdate) -> AgentRecord:
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
            spec = dataclasses.replace(
                current.spec,
                enabled=config.enabled,
                description=config.description,
                timeout_seconds=config.timeout_seconds,
            )
            self._executable[name] = RegisteredAgent(spec, current.runnable)
        return config

    async def get(self, name: str) -> AgentRecord | None:
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(sa.select(agent_table).where(agent_table.c.name == name)))
                .mappings()
                .first()
            )
        return None if row is None else agent_from_row(row)

    async def all(self) -> list[AgentRecord]:
        async with self._engine.connect() as conn:
            rows = (
                (await conn.execute(sa.select(agent_table).order_by(agent_table.c.name)))
                .mappings()
                .all()
            )
        return [agent_from_row(row) for row in rows]


def _row(spec: AgentSpec, now: Any) -> dict[str, Any]:
    # Keys the file does not set keep what the API stored (budgets, rate limit).
    budgets = {
        name: value
        for name, value in (
            ("daily_budget_usd", spec.daily_budget_usd),
            ("monthly_budget_usd", spec.monthly_budget_usd),
            ("rate_limit", policy_to_json(spec.rate_limit)),
        )
        if value is not None
    }
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
