"""The agents file: parse `[agents.<name>]` tables into specs and import their runnables.

Code is only ever loaded from the agents file an operator controls; the API can change an
agent's settings but never what code it runs.
"""

import importlib
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable

from services.agents.update import policy_from_toml
from services.errors import AgentWatchError
from services.rate_limit import RateLimitPolicy
from services.validation import agent_name

DEFAULT_TIMEOUT_SECONDS = 60.0
MAX_TIMEOUT_SECONDS = 3600.0
_KNOWN_KEYS = {
    "runnable",
    "description",
    "model",
    "timeout_seconds",
    "enabled",
    "metadata",
    "daily_budget_usd",
    "monthly_budget_usd",
    "rate_limit",
}


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


def _budget_value(where: str, body: dict[str, Any], key: str) -> Decimal | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AgentConfigError(f"{where}: {key} must be a number of USD")
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise AgentConfigError(f"{where}: {key} must be a number of USD") from exc
    if not amount.is_finite() or amount < 0:
        raise AgentConfigError(f"{where}: {key} must be >= 0")
    return amount


def parse_overall_budget(path: Path) -> tuple[Decimal | None, Decimal | None] | None:
    """The optional top-level `[budget]` table (daily_usd, monthly_usd) of the agents file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    body = data.get("budget")
    if body is None:
        return None
    if not isinstance(body, dict) or set(body) - {"daily_usd", "monthly_usd"}:
        raise AgentConfigError(f"{path} [budget]: only daily_usd and monthly_usd are allowed")
    where = f"{path} [budget]"
    return _budget_value(where, body, "daily_usd"), _budget_value(where, body, "monthly_usd")


def parse_agents_file(path: Path) -> list[AgentSpec]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AgentConfigError(f"cannot read agents file {path}: {exc}") from exc
    agents = data.get("agents")
    if not isinstance(agents, dict):
        raise AgentConfigError(f"{path}: expected an [agents.<name>] table per agent")
    return [_spec(path, name, body) for name, body in agents.items()]


def _spec(path: Path, name: str, body: Any) -> AgentSpec:
    where = f"{path} [agents.{name}]"
    try:
        agent_name(name)
    except AgentWatchError as exc:
        raise AgentConfigError(f"{where}: {exc.message}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("runnable"), str):
        raise AgentConfigError(f'{where}: `runnable = "package.module:attribute"` is required')
    unknown = set(body) - _KNOWN_KEYS
    if unknown:
        raise AgentConfigError(f"{where}: unknown keys {sorted(unknown)}")
    timeout = float(body.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS))
    if not 0 < timeout <= MAX_TIMEOUT_SECONDS:
        raise AgentConfigError(f"{where}: timeout_seconds must be in (0, {MAX_TIMEOUT_SECONDS}]")
    metadata = body.get("metadata", {})
    if not isinstance(metadata, dict):
        raise AgentConfigError(f"{where}: metadata must be a table")
    return AgentSpec(
        name=name,
        runnable_path=body["runnable"],
        description=str(body.get("description", "")),
        model=body.get("model"),
        timeout_seconds=timeout,
        enabled=bool(body.get("enabled", True)),
        metadata=metadata,
        daily_budget_usd=_budget_value(where, body, "daily_budget_usd"),
        monthly_budget_usd=_budget_value(where, body, "monthly_budget_usd"),
        rate_limit=_rate_limit(where, body.get("rate_limit")),
    )


def _rate_limit(where: str, data: Any) -> RateLimitPolicy | None:
    if data is None:
        return None
    try:
        return policy_from_toml(data, where)
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
