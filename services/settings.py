"""Settings read once from environment variables (documented in the README)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./agentwatch.db"
BUILTIN_AGENTS_FILE = Path(__file__).resolve().parent / "demo" / "agents.toml"


class SettingsError(ValueError):
    """An environment variable holds a value AgentWatch cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be >= {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if not 0 < value < 1e6:
        raise SettingsError(f"{name} must be > 0, got {raw}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"AGENTWATCH_TIMEZONE {name!r} is not an IANA time zone") from exc
    return name


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one AgentWatch process."""

    database_url: str = DEFAULT_DATABASE_URL
    agents_file: Path = BUILTIN_AGENTS_FILE
    api_key: str | None = None
    # Bytes of JSON accepted in one runAgent/recordRun input; larger is BAD_USER_INPUT.
    max_input_bytes: int = 256 * 1024
    # Bytes of input/output JSON kept per run; the rest is replaced by a marked preview.
    stored_payload_bytes: int = 16 * 1024
    # Events buffered per subscriber before its oldest events are dropped.
    subscriber_queue_size: int = 1000
    # Rows the writer commits in one transaction at most.
    write_batch_size: int = 500
    migrate_on_start: bool = True
    langsmith_web_url: str = "https://smith.langchain.com"
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    # Day and month boundaries of cost totals and budgets.
    timezone: str = "UTC"
    # Seconds between reloads of shared state other instances may change (price overrides).
    refresh_seconds: float = 30.0
    # Every rule is also evaluated this often, so time-based conditions fire without traffic.
    alert_tick_seconds: float = 15.0
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 4
    # First retry after this many seconds, doubling each time.
    webhook_backoff_seconds: float = 1.0
    # Per-agent rate limits: in memory, or shared by every instance through Redis.
    redis_url: str | None = None
    # When Redis is unreachable: refuse runs of rate-limited agents (default) or let them through.
    redis_fail_open: bool = False
    redis_key_prefix: str = "agentwatch:rl:"
    # recordRun ingestion limit per client address: sustained rate and burst.
    ingest_rate_per_second: float = 2000.0
    ingest_burst: int = 4000
    # Bytes of request body accepted on /graphql; larger is refused with 413 while reading.
    max_body_bytes: int = 8 * 1024 * 1024
    # Database waits: connecting, a free pooled connection, one statement (PostgreSQL).
    db_connect_timeout_seconds: float = 5.0
    db_pool_timeout_seconds: float = 5.0
    db_command_timeout_seconds: float = 30.0
    # /health answers 503 when `SELECT 1` takes longer than this.
    health_timeout_seconds: float = 1.0
    # WebSocket caps: connections per client address and per API key, subscriptions per
    # connection; a connection whose sends stay blocked this long is dropped.
    ws_max_connections_per_client: int = 16
    ws_max_connections_per_key: int = 64
    ws_max_subscriptions_per_connection: int = 32
    ws_send_timeout_seconds: float = 10.0
    # Seconds a stored API key lookup is cached (a revoked key stops working within this).
    key_cache_seconds: float = 5.0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        agents_file = env.get("AGENTWATCH_AGENTS_FILE")
        origins = env.get("AGENTWATCH_ALLOWED_ORIGINS", "")
        return cls(
            database_url=env.get("AGENTWATCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
            agents_file=Path(agents_file) if agents_file else BUILTIN_AGENTS_FILE,
            api_key=env.get("AGENTWATCH_API_KEY") or None,
            max_input_bytes=_int(env, "AGENTWATCH_MAX_INPUT_BYTES", cls.max_input_bytes),
            stored_payload_bytes=_int(
                env, "AGENTWATCH_STORED_PAYLOAD_BYTES", cls.stored_payload_bytes, minimum=256
            ),
            subscriber_queue_size=_int(
                env, "AGENTWATCH_SUBSCRIBER_QUEUE_SIZE", cls.subscriber_queue_size
            ),
            write_batch_size=_int(env, "AGENTWATCH_WRITE_BATCH_SIZE", cls.write_batch_size),
            migrate_on_start=_bool(env, "AGENTWATCH_MIGRATE_ON_START", True),
            langsmith_web_url=env.get("AGENTWATCH_LANGSMITH_WEB_URL") or cls.langsmith_web_url,
            allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            timezone=_zone(env.get("AGENTWATCH_TIMEZONE") or "UTC"),
            alert_tick_seconds=_float(env, "AGENTWATCH_ALERT_TICK_SECONDS", 15.0),
            webhook_timeout_seconds=_float(env, "AGENTWATCH_WEBHOOK_TIMEOUT_SECONDS", 5.0),
            webhook_max_attempts=_int(env, "AGENTWATCH_WEBHOOK_MAX_ATTEMPTS", 4),
            webhook_backoff_seconds=_float(env, "AGENTWATCH_WEBHOOK_BACKOFF_SECONDS", 1.0),
            redis_url=env.get("AGENTWATCH_REDIS_URL") or None,
            redis_fail_open=_bool(env, "AGENTWATCH_REDIS_FAIL_OPEN", False),
            redis_key_prefix=env.get("AGENTWATCH_REDIS_KEY_PREFIX") or "agentwatch:rl:",
            ingest_rate_per_second=_float(env, "AGENTWATCH_INGEST_RATE_PER_SECOND", 2000.0),
            ingest_burst=_int(env, "AGENTWATCH_INGEST_BURST", 4000),
            max_body_bytes=_int(env, "AGENTWATCH_MAX_BODY_BYTES", cls.max_body_bytes, 1024),
            db_connect_timeout_seconds=_float(env, "AGENTWATCH_DB_CONNECT_TIMEOUT_SECONDS", 5.0),
            db_pool_timeout_seconds=_float(env, "AGENTWATCH_DB_POOL_TIMEOUT_SECONDS", 5.0),
            db_command_timeout_seconds=_float(env, "AGENTWATCH_DB_COMMAND_TIMEOUT_SECONDS", 30.0),
            health_timeout_seconds=_float(env, "AGENTWATCH_HEALTH_TIMEOUT_SECONDS", 1.0),
            ws_max_connections_per_client=_int(
                env, "AGENTWATCH_WS_MAX_CONNECTIONS_PER_CLIENT", cls.ws_max_connections_per_client
            ),
            ws_max_connections_per_key=_int(
                env, "AGENTWATCH_WS_MAX_CONNECTIONS_PER_KEY", cls.ws_max_connections_per_key
            ),
            ws_max_subscriptions_per_connection=_int(
                env,
                "AGENTWATCH_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
                cls.ws_max_subscriptions_per_connection,
            ),
            ws_send_timeout_seconds=_float(env, "AGENTWATCH_WS_SEND_TIMEOUT_SECONDS", 10.0),
            key_cache_seconds=_float(env, "AGENTWATCH_KEY_CACHE_SECONDS", 5.0),
        )
