"""SQLModel tables, the database engine and the alembic migrations."""

from models.agent import AgentConfig
from models.alert import AlertEventRow, AlertRow, AlertRuleRow
from models.api_key import ApiKeyRow
from models.llm_call import LlmCall
from models.pricing import ModelAlias, ModelPriceOverride, Setting
from models.rate_limit import RateLimitCounter
from models.run import Run

__all__ = [
    "AgentConfig",
    "AlertEventRow",
    "AlertRow",
    "AlertRuleRow",
    "ApiKeyRow",
    "LlmCall",
    "ModelAlias",
    "ModelPriceOverride",
    "RateLimitCounter",
    "Run",
    "Setting",
]
