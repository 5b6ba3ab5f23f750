"""The `run` table: one row per agent execution, executed here or reported by `recordRun`."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.columns import PortableJSON, UTCDateTime


class Run(SQLModel, table=True):
    """A single agent run with its outcome, latency, token usage and error."""

    __tablename__ = "run"
    # Indexes follow the dashboard's queries: newest first overall, per agent, per status;
    # `id` breaks ties so keyset pagination is total.
    __table_args__ = (
        sa.Index("ix_run_started_at_id", "started_at", "id"),
        sa.Index("ix_run_agent_started_at_id", "agent", "started_at", "id"),
        sa.Index("ix_run_status_started_at_id", "status", "started_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    agent: str = Field(max_length=100)
    status: str = Field(max_length=10)
    started_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    latency_ms: float | None = None
    model: str | None = Field(default=None, max_length=200)
    input_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    output_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    error_message: str | None = Field(default=None, sa_type=sa.Text)
    error_type: str | None = Field(default=None, max_length=200)
    error_stack: str | None = Field(default=None, sa_type=sa.Text)
    trace_id: str | None = Field(default=None, max_length=100)
    trace_url: str | None = Field(default=None, max_length=500)
    input: Any | None = Field(default=None, sa_column=sa.Column(PortableJSON))
    output: Any | None = Field(default=None, sa_column=sa.Column(PortableJSON))
    request_id: str | None = Field(default=None, max_length=200, unique=True)
    # Money in integer picodollars (1e-12 USD): exact sums in SQL on SQLite and PostgreSQL.
    cost_pusd: int | None = Field(default=None, sa_type=sa.BigInteger)
    cost_source: str = Field(default="UNPRICED", max_length=10)
