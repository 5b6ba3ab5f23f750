"""Engine construction: one async engine per process, tuned per database."""

import asyncio
import sqlite3
import time
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets dashboard reads run while the writer commits; NORMAL skips an fsync per commit
    # and stays durable across application crashes (only an OS crash can lose the last commits).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# asyncpg errors that mean "the server is not there or not answering", not "bad statement".
_PG_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.QueryCanceledError,
    asyncpg.AdminShutdownError,
)
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open", "disk i/o error")


def is_database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or an error it wraps) means the database could not be reached or did
    not answer in time: worth a retry later, unlike a refused statement."""
    seen: BaseException | None = exc
    depth = 0
    while seen is not None and depth < 8:
        if isinstance(seen, (sa.exc.TimeoutError, TimeoutError, OSError, *_PG_UNAVAILABLE)):
            return True
        if isinstance(seen, sa.exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(seen, sqlite3.OperationalError) and any(
            text in str(seen).lower() for text in _SQLITE_UNAVAILABLE
        ):
            return True
        seen = seen.__cause__ or seen.__context__
        depth += 1
    return False


def create_engine(
    database_url: str,
    connect_timeout: float = 5.0,
    command_timeout: float = 30.0,
    pool_timeout: float = 5.0,
    **kwargs: Any,
) -> AsyncEngine:
    """Create the async engine for `database_url` (sqlite+aiosqlite or postgresql+asyncpg).

    Every wait on the database is bounded: connecting, waiting for a pooled connection, and
    each statement (PostgreSQL: asyncpg's `command_timeout`; SQLite: its busy timeout), so a
    stalled database yields errors the API reports as DATABASE_UNAVAILABLE, never a hang."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if database_url.startswith("postgresql"):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
        kwargs.setdefault("pool_timeout", pool_timeout)
        connect_args = kwargs.setdefault("connect_args", {})
        connect_args.setdefault("timeout", connect_timeout)
        connect_args.setdefault("command_timeout", command_timeout)
        return create_async_engine(database_url, **kwargs)
    raise ValueError(f"unsupported database URL scheme: {database_url.split(':', 1)[0]}")


async def ping(engine: AsyncEngine, timeout: float = 1.0) -> float:  # noqa: ASYNC109
    """Run `SELECT 1`; return its round trip in milliseconds or raise the driver's error
    (`TimeoutError` after `timeout` seconds, however the database stalls)."""
    started = time.perf_counter()

    async def select_one() -> None:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    await asyncio.wait_for(select_one(), timeout)
    return (time.perf_counter() - started) * 1000
