"""The one place where Query, Mutation and Subscription are assembled."""

from collections.abc import AsyncGenerator
from datetime import datetime

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

from graph.errors import AgentWatchSchema, ErrorCodes
from graph.scalars import DateTimeDefinition
from graph.scopes import ScopeCheck, require
from graph.types.agent import Agent
from graph.types.alert import Alert, AlertConnection, AlertRule
from graph.types.cost import BudgetStatus, CostSuggestion, CostSummary, ModelAlias, ModelPrice
from graph.types.metrics import MetricsSummary
from graph.types.rate_limit import RateLimitStatusType
from graph.types.run import RecordRunsResult, Run, RunConnection
from graph.types.timeseries import MetricsBucket
from resolvers import agents, costs, metrics, runs, timeseries
from resolvers import agents as agent_resolvers
from resolvers import alerts as alert_resolvers

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
    metrics_timeseries: list[MetricsBucket] = strawberry.field(
        resolver=timeseries.metrics_timeseries,
        description="Per-bucket counts, errors, exact p50/p95/p99 latency, tokens and cost of "
        "finished runs in [since, until or now) (since defaults to 24 hours before until or now), "
        "buckets aligned to multiples of bucketSeconds "
        "(10..86400) since the epoch, empty ones included; at most 500 buckets.",
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
    rate_limit_status: RateLimitStatusType = strawberry.field(
        resolver=agent_resolvers.rate_limit_status,
        description="An agent's limit, available slots, queue and refusals in the last hour.",
    )
    alert_rules: list[AlertRule] = strawberry.field(
        resolver=alert_resolvers.alert_rules, description="Every alert rule."
    )
    alerts: AlertConnection = strawberry.field(
        resolver=alert_resolvers.alerts,
        description="Alerts newest first, filtered by status and agent.",
    )
    alert: Alert | None = strawberry.field(resolver=alert_resolvers.alert, description="One alert.")
    cost_suggestions: list[CostSuggestion] = strawberry.field(
        resolver=costs.cost_suggestions,
        description="Savings computed from runs since `since` (default: 30 days), largest first.",
    )
    budgets: list[BudgetStatus] = strawberry.field(
        resolver=costs.budgets,
        description="Every budget: the overall one first (agent null, even when unset), then "
        "each agent that has a daily or monthly budget, by name; use vs now.",
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
    update_agent: Agent = strawberry.mutation(
        resolver=agent_resolvers.update_agent,
        description="Change an agent's settings live (enabled, description, timeout, budgets, "
        "rate limit); applies to the next request.",
    )
    record_runs: RecordRunsResult = strawberry.mutation(
        resolver=runs.record_runs,
        description="Store up to 1000 runs executed elsewhere in one request (validated all "
        "first: one invalid run stores none). Counts as one request for the ingestion limit.",
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
    create_alert_rule: AlertRule = strawberry.mutation(
        resolver=alert_resolvers.create_alert_rule, description="Create an alert rule."
    )
    update_alert_rule: AlertRule = strawberry.mutation(
        resolver=alert_resolvers.update_alert_rule, description="Replace an alert rule's settings."
    )
    delete_alert_rule: bool = strawberry.mutation(
        resolver=alert_resolvers.delete_alert_rule,
        description="Delete a rule; its open alert is resolved automatically.",
    )
    acknowledge_alert: Alert = strawberry.mutation(
        resolver=alert_resolvers.acknowledge_alert,
        description="FIRING → ACKNOWLEDGED (optional note).",
    )
    resolve_alert: Alert = strawberry.mutation(
        resolver=alert_resolvers.resolve_alert, description="Resolve an open alert by hand."
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
        require(info.context.principal, "Subscription", "runRecorded")
        return runs.run_recorded(info, agent)

    @strawberry.subscription(description="Every alert transition and value update, live.")
    def alert_changed(
        self, info: runs.Info, agent: str | None = None
    ) -> AsyncGenerator[Alert, None]:
        require(info.context.principal, "Subscription", "alertChanged")
        return alert_resolvers.alert_changed(info, agent)


schema = AgentWatchSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    scalar_overrides={datetime: DateTimeDefinition},
    extensions=[
        ScopeCheck,
        lambda: AddValidationRules(QUERY_LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ParserCache,
        ValidationCache,
        ErrorCodes,
    ],
)
