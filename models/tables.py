"""Core table handles, defined once: the hot paths use SQLAlchemy Core on these, not the ORM."""

from sqlalchemy import Table

from models.agent import AgentConfig
from models.alert import AlertEventRow, AlertRow, AlertRuleRow
from models.llm_call import LlmCall
from models.pricing import ModelAlias, ModelPriceOverride, Setting
from models.rate_limit import RateLimitCounter
from models.run import Run

agent_table: Table = AgentConfig.__table__  # type: ignore[attr-defined]
alert_table: Table = AlertRow.__table__  # type: ignore[attr-defined]
alias_table: Table = ModelAlias.__table__  # type: ignore[attr-defined]
call_table: Table = LlmCall.__table__  # type: ignore[attr-defined]
counter_table: Table = RateLimitCounter.__table__  # type: ignore[attr-defined]
event_table: Table = AlertEventRow.__table__  # type: ignore[attr-defined]
price_table: Table = ModelPriceOverride.__table__  # type: ignore[attr-defined]
rule_table: Table = AlertRuleRow.__table__  # type: ignore[attr-defined]
run_table: Table = Run.__table__  # type: ignore[attr-defined]
setting_table: Table = Setting.__table__  # type: ignore[attr-defined]
