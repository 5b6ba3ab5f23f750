"""alerts, rate limits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:56.220448
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.columns

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "alert_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("agent", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("comparator", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("window_seconds", sa.Integer(), nullable=False),
        sa.Column("min_samples", sa.Integer(), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("webhook_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("agent", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("comparator", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("fired_at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("clear_since", models.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("open_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.ForeignKeyConstraint(["rule_id"], ["alert_rule.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_agent_fired_at_id", ["agent", "fired_at", "id"], unique=False
        )
        batch_op.create_index("ix_alert_fired_at_id", ["fired_at", "id"], unique=False)
        batch_op.create_index(
            "ix_alert_status_fired_at_id", ["status", "fired_at", "id"], unique=False
        )

    op.create_table(
        "alert_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("at", models.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("delivery", models.columns.PortableJSON, nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alert_event", schema=None) as batch_op:
        batch_op.create_index("ix_alert_event_alert_id_id", ["alert_id", "id"], unique=False)

    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_limit", models.columns.PortableJSON, nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.drop_column("rate_limit")

    with op.batch_alter_table("alert_event", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_event_alert_id_id")

    op.drop_table("alert_event")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_status_fired_at_id")
        batch_op.drop_index("ix_alert_fired_at_id")
        batch_op.drop_index("ix_alert_agent_fired_at_id")

    op.drop_table("alert")
    op.drop_table("alert_rule")
