"""The `llm_call` table: token usage of each model call inside a run."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.columns import UTCDateTime


class LlmCall(SQLModel, table=True):
    """One chat-model call of a run, as reported by the provider's usage metadata."""

    __tablename__ = "llm_call"
    __table_args__ = (sa.Index("ix_llm_call_run_id_seq", "run_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("run.id", ondelete="CASCADE"), nullable=False
        )
    )
    seq: int
    model: str | None = Field(default=None, max_length=200)
    provider: str | None = Field(default=None, max_length=100)
    started_at: datetime = Field(sa_column=sa.Column(UTCDateTime, nullable=False))
    latency_ms: float | None = None
    # input_tokens includes cached_input_tokens (LangChain's convention).
    input_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    cached_input_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    cache_write_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    output_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    reasoning_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    cost_pusd: int | None = Field(default=None, sa_type=sa.BigInteger)
    cost_source: str = Field(default="UNPRICED", max_length=10)
    # The catalog model id or override name the price came from.
    priced_as: str | None = Field(default=None, max_length=200)
