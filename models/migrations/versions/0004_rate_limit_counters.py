"""rate limit counters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:09:54.471347
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "rate_limit_counter",
        sa.Column("agent", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("minute", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("queued", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agent", "minute"),
    )


def downgrade() -> None:

    op.drop_table("rate_limit_counter")
