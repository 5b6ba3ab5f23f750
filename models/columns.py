"""Column types shared by the tables: UTC timestamps and portable JSON."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

# JSONB on PostgreSQL (compact, indexable); SQLAlchemy's JSON (TEXT) elsewhere.
PortableJSON = sa.JSON().with_variant(JSONB(), "postgresql")


class DecimalText(sa.TypeDecorator[Decimal]):
    """Exact decimals stored as text (prices, budgets): no float drift on any database."""

    impl = sa.String(64)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in Python; timestamptz on PostgreSQL, sortable text on SQLite.

    Every value is normalised to UTC before it is bound, so string comparison on SQLite orders
    timestamps correctly and no naive datetime ever leaves the database layer.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
