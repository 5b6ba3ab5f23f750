"""Cost tracking: per-call pricing, overrides, totals, budgets and savings suggestions."""

from services.cost.budgets import Budget, BudgetStatus, budget_status, set_budget
from services.cost.periods import Periods
from services.cost.price_store import CatalogEntry, PriceStore
from services.cost.prices import Alias, Override, run_cost
from services.cost.recompute import recompute_costs
from services.cost.service import Costs
from services.cost.suggestions import Suggestion, SuggestionKind, cost_suggestions
from services.cost.summary import CostSummary, summarize_costs

__all__ = [
    "Alias",
    "Budget",
    "BudgetStatus",
    "CatalogEntry",
    "CostSummary",
    "Costs",
    "Override",
    "Periods",
    "PriceStore",
    "Suggestion",
    "SuggestionKind",
    "budget_status",
    "cost_suggestions",
    "recompute_costs",
    "run_cost",
    "set_budget",
    "summarize_costs",
]
