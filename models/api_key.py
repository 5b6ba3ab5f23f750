"""API keys: only a SHA-256 of each secret is stored; the secret is shown once at creation."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.columns import UTCDateTime


class ApiKeyRow(SQLModel, table=True):
    """One API key: its public id, the hash of its secret, scopes and ingestion limit."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    secret_sha256: str = Field(max_length=64)
    # Comma-separated subset of read, ingest, admin.
    scopes: str = Field(max_length=100)
    # recordRun/recordRuns calls per second and burst for this key; null: the server default.
    ingest_rate_per_second: float | None = Field(default=None)
    ingest_burst: int | None = Field(default=None)
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
