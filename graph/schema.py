"""The one place where Query, Mutation and Subscription are assembled."""

from collections.abc import AsyncGenerator

import strawberry
from graphql.validation import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from graph.errors import ErrorCodes
from graph.types.agent import Agent
from graph.types.cost import BudgetStatus, CostSuggestion, CostSummary, ModelAlias, ModelPrice
from graph.types.metrics import MetricsSummary
from graph.types.run import Run, RunConnection
from resolvers import agents, costs, metrics, runs

MAX_DEPTH = 15  # GraphiQL's own introspection query nests ~13 levels
MAX_ALIASES = 15
MAX_TOKENS = 2000
# The limit rules are built once: rule classes are stateless (graphql-core instantiates them per
# validation), and stable classes keep ValidationCache's key stable. Strawberry's
# QueryDepthLimiter/MaxAliasesLimiter factories build new classes per request, which made every
# request miss the validation cache (validation was ~30% of a small query's CPU).
QUERY_LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_DEPTH, None, None),
    aliases_rule(MAX_ALIASES),
]


@strawberry.type(description="Read runs, agents and metrics.")
class Query:
    agents: list[Agent] = strawberry.field(
        resolver=agents.agents, description="Every known agent, by name."
    )
    run: Run | None = strawberry.field(resolver=runs.run, description="One run by id.")
    runs: RunConnection = strawberry.field(
        resolver=runs.runs,
        description="Runs newest first, filtered; `since` inclusive, `until` exclusive, on "
        "startedAt. Keyset cursors stay correct while runs are inserted.",
    )
    metrics_summary: MetricsSummary = strawberry.field(
        resolver=metrics.metrics_summary,
        description="Counts, rates, exact p50/p95/p99 latency and tokens over a window "
        "(open on an omitted side).",
    )
    model_prices: list[ModelPrice] = strawberry.field(
        resolver=costs.model_prices,
        description="Price overrides, then the catalog prices in use by stored calls.",
    )
    model_aliases: list[ModelAlias] = strawberry.field(
        resolver=costs.model_aliases, description="Explicit model-name aliases."
    )
    cost_summary: CostSummary = strawberry.field(
        resolver=costs.cost_summary,
        description="Cost totals and breakdowns over a window; today/month/projection vs now.",
    )
    cost_suggestions: list[CostSuggestion] = strawberry.field(
        resolver=costs.cost_suggestions,
        description="Savings computed from runs since `since` (default: 30 days), largest first.",
    )


@strawberry.type(description="Execute agents and record runs.")
class Mutation:
    run_agent: Run = strawberry.mutation(
        resolver=runs.run_agent,
        description="Run an agent. With wait: false, returns a RUNNING run at once.",
    )
    record_run: Run = strawberry.mutation(
        resolver=runs.record_run,
        description="Store a run executed elsewhere; idempotent by requestId.",
    )
    set_model_price: ModelPrice = strawberry.mutation(
        resolver=costs.set_model_price,
        description="Set a price override (replaces one with the same model and effectiveFrom).",
    )
    delete_model_price: int = strawberry.mutation(
        resolver=costs.delete_model_price,
        description="Delete every override of a model; returns how many were deleted.",
    )
    set_model_alias: ModelAlias = strawberry.mutation(
        resolver=costs.set_model_alias,
        description="Price calls reporting `alias` as `model` (optionally of `provider`).",
    )
    delete_model_alias: bool = strawberry.mutation(
        resolver=costs.delete_model_alias, description="Remove an alias."
    )
    recompute_costs: int = strawberry.mutation(
        resolver=costs.recompute,
        description="Re-price stored runs started in [since, until) with current prices "
        "(reported costs are kept); returns how many runs' cost changed.",
    )
    set_budget: BudgetStatus = strawberry.mutation(
        resolver=costs.set_budget_resolver,
        description="Set daily/monthly USD budgets of an agent, or overall when agent is null "
        "(null amounts remove that budget).",
    )


@strawberry.type(description="Live feeds over graphql-transport-ws.")
class Subscription:
    @strawberry.subscription(description="Every run as soon as it is stored finished.")
    def run_recorded(self, info: runs.Info, agent: str | None = None) -> AsyncGenerator[Run, None]:
        return runs.run_recorded(info, agent)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[
        lambda: AddValidationRules(QUERY_LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ParserCache,
        ValidationCache,
        ErrorCodes,
    ],
)
