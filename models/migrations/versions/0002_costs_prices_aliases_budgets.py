"""costs, prices, aliases, budgets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:51:20.332793
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.columns

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "model_alias",
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint("alias"),
    )
    op.create_table(
        "model_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("input_per_million", models.columns.DecimalText(), nullable=False),
        sa.Column("output_per_million", models.columns.DecimalText(), nullable=False),
        sa.Column("cache_read_per_million", models.columns.DecimalText(), nullable=True),
        sa.Column("cache_write_per_million", models.columns.DecimalText(), nullable=True),
        sa.Column("effective_from", models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("model_price", schema=None) as batch_op:
        batch_op.create_index("ix_model_price_model", ["model", "effective_from"], unique=False)

    op.create_table(
        "setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("value", models.columns.PortableJSON, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("daily_budget_usd", models.columns.DecimalText(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("monthly_budget_usd", models.columns.DecimalText(), nullable=True)
        )

    with op.batch_alter_table("llm_call", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_pusd", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "cost_source",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="UNPRICED",
            )
        )
        batch_op.add_column(
            sa.Column("priced_as", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )

    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_pusd", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "cost_source",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="UNPRICED",
            )
        )


def downgrade() -> None:

    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("cost_source")
        batch_op.drop_column("cost_pusd")

    with op.batch_alter_table("llm_call", schema=None) as batch_op:
        batch_op.drop_column("priced_as")
        batch_op.drop_column("cost_source")
        batch_op.drop_column("cost_pusd")

    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("monthly_budget_usd")
        batch_op.drop_column("daily_budget_usd")

    op.drop_table("setting")
    with op.batch_alter_table("model_price", schema=None) as batch_op:
        batch_op.drop_index("ix_model_price_model")

    op.drop_table("model_price")
    op.drop_table("model_alias")
