"""runs, agents and llm calls

Revision ID: 0001
Revises:
Create Date: 2026-11-27 08:22:14.137475
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.columns

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "agent",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("timeout_seconds", sa.Float(), nullable=False),
        sa.Column("metadata", models.columns.PortableJSON, nullable=False),
        sa.Column("created_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "run",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("agent", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("started_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_type", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("error_stack", sa.Text(), nullable=True),
        sa.Column("trace_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("trace_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("input", models.columns.PortableJSON, nullable=True),
        sa.Column("output", models.columns.PortableJSON, nullable=True),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id"),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_run_agent_started_at_id", ["agent", "started_at", "id"], unique=False
        )
        batch_op.create_index("ix_run_started_at_id", ["started_at", "id"], unique=False)
        batch_op.create_index(
            "ix_run_status_started_at_id", ["status", "started_at", "id"], unique=False
        )

    op.create_table(
        "llm_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("started_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cached_input_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cache_write_tokens", sa.BigInteger(), nullable=False),
        sa.Column("output_tokens", sa.BigInteger(), nullable=False),
        sa.Column("reasoning_tokens", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("llm_call", schema=None) as batch_op:
        batch_op.create_index("ix_llm_call_run_id_seq", ["run_id", "seq"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("llm_call", schema=None) as batch_op:
        batch_op.drop_index("ix_llm_call_run_id_seq")

    op.drop_table("llm_call")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index("ix_run_status_started_at_id")
        batch_op.drop_index("ix_run_started_at_id")
        batch_op.drop_index("ix_run_agent_started_at_id")

    op.drop_table("run")
    op.drop_table("agent")
