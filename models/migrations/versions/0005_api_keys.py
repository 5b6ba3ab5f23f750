"""api keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.columns

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("secret_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scopes", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("ingest_rate_per_second", sa.Float(), nullable=True),
        sa.Column("ingest_burst", sa.Integer(), nullable=True),
        sa.Column("created_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("api_key")
