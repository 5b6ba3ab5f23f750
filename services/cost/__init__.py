"""Cost tracking: per-call pricing, overrides, totals, budgets and savings suggestions."""
