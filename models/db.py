"""Engine construction: one async engine per process, tuned per database."""

import time
from typing import Any

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


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for `database_url` (sqlite+aiosqlite or postgresql+asyncpg)."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if database_url.startswith("postgresql"):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(database_url, **kwargs)
    raise ValueError(f"unsupported database URL scheme: {database_url.split(':', 1)[0]}")


async def ping(engine: AsyncEngine) -> float:
    """Run `SELECT 1`; return its round trip in milliseconds or raise the driver's error."""
    started = time.perf_counter()
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return (time.perf_counter() - started) * 1000
