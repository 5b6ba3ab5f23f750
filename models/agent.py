"""The `agent` table: configured and external agents and their settings."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.columns import DecimalText, PortableJSON, UTCDateTime


class AgentConfig(SQLModel, table=True):
    """One agent known to AgentWatch, from the agents file or first seen by `recordRun`."""

    __tablename__ = "agent"

    name: str = Field(primary_key=True, max_length=100)
    description: str = Field(default="", sa_type=sa.Text)
    model: str | None = Field(default=None, max_length=200)
    enabled: bool = True
    # "configured" (agents file, executable here) or "external" (only reports runs).
    source: str = Field(default="configured", max_length=20)
    timeout_seconds: float = 60.0
    daily_budget_usd: Decimal | None = Field(default=None, sa_type=DecimalText)
    monthly_budget_usd: Decimal | None = Field(default=None, sa_type=DecimalText)
    # {"requests", "perSeconds", "burst", "maxConcurrent", "maxQueueMs", "maxQueueLength"}
    rate_limit: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(PortableJSON))
    agent_metadata: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column("metadata", PortableJSON, nullable=False)
    )
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
