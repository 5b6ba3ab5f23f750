"""Per-minute counts of rate-limited and queued calls, per agent (for metricsSummary)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.columns import UTCDateTime


class RateLimitCounter(SQLModel, table=True):
    """Calls rejected or queued by an agent's limiter during one UTC minute."""

    __tablename__ = "rate_limit_counter"

    agent: str = Field(primary_key=True, max_length=100)
    minute: datetime = Field(sa_column=sa.Column(UTCDateTime, primary_key=True))
    rejected: int = Field(default=0, sa_type=sa.BigInteger)
    queued: int = Field(default=0, sa_type=sa.BigInteger)
