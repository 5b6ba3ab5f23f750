"""Tables for user price overrides, model aliases and global settings such as the overall budget."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.columns import DecimalText, PortableJSON, UTCDateTime


class ModelPriceOverride(SQLModel, table=True):
    """A user's price for a model name (exact match), optionally effective from an instant."""

    __tablename__ = "model_price"
    __table_args__ = (sa.Index("ix_model_price_model", "model", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    model: str = Field(max_length=200)
    input_per_million: Decimal = Field(sa_type=DecimalText)
    output_per_million: Decimal = Field(sa_type=DecimalText)
    cache_read_per_million: Decimal | None = Field(default=None, sa_type=DecimalText)
    cache_write_per_million: Decimal | None = Field(default=None, sa_type=DecimalText)
    effective_from: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime))
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))


class ModelAlias(SQLModel, table=True):
    """An explicit alias: calls reporting `alias` are priced as `model` (of `provider`)."""

    __tablename__ = "model_alias"

    alias: str = Field(primary_key=True, max_length=200)
    model: str = Field(max_length=200)
    provider: str | None = Field(default=None, max_length=100)


class Setting(SQLModel, table=True):
    """Process-wide settings changed at run time (e.g. the overall budget)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=100)
    value: Any = Field(sa_column=sa.Column(PortableJSON, nullable=False))
