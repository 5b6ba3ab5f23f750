"""The few SQL constructs that differ between SQLite and PostgreSQL, in one place."""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine


def insert_for(engine: AsyncEngine) -> Callable[..., Any]:
    """The dialect's `insert` (the generic one lacks ON CONFLICT)."""
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def epoch_bucket(
    engine: AsyncEngine, column: sa.ColumnElement[Any], seconds: int
) -> sa.ColumnElement[Any]:
    """Integer index of the `seconds`-long bucket since the Unix epoch that `column` falls in."""
    if engine.dialect.name == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", column) / seconds), sa.BigInteger)
    # strftime('%s') truncates to whole seconds: the same bucket for any `seconds` >= 1.
    return sa.cast(sa.func.strftime("%s", column), sa.BigInteger) // seconds
