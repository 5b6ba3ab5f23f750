"""The service enums, exposed to GraphQL as they are: one definition each, described here.

`strawberry.enum(cls)` registers an existing Python enum without copying it, so a resolver gets
and returns the service's own members (no mapping by `.name`). Member descriptions are attached
here because the service modules do not import Strawberry.
"""

from enum import Enum
from typing import TypeVar

import strawberry

from services.alerts import AlertStatus, Comparator, Severity
from services.alerts import EventKind as AlertEventKind
from services.alerts import Metric as AlertMetric
from services.cost import SuggestionKind as CostSuggestionKind
from services.records import CostSource, RunStatus

__all__ = [
    "AlertEventKind",
    "AlertMetric",
    "AlertStatus",
    "Comparator",
    "CostSource",
    "CostSuggestionKind",
    "RunStatus",
    "Severity",
]

E = TypeVar("E", bound=Enum)


def expose(cls: type[E], name: str, description: str, values: dict[str, str]) -> None:
    """Register `cls` as the GraphQL enum `name`; `values` describes every member, no more."""
    if set(values) != set(cls.__members__):
        raise ValueError(f"{name}: describe exactly {sorted(cls.__members__)}")
    strawberry.enum(cls, name=name, description=description)
    for value in cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[value.name]


expose(
    RunStatus,
    "RunStatus",
    "Where a run is in its life.",
    {
        "RUNNING": "Started, not finished yet.",
        "SUCCESS": "Finished and returned an output.",
        "ERROR": "Raised an exception.",
        "TIMEOUT": "Exceeded the agent's timeout.",
    },
)
expose(
    CostSource,
    "CostSource",
    "Where a cost came from.",
    {
        "CATALOG": "genai-prices' bundled catalog.",
        "OVERRIDE": "A price set with setModelPrice.",
        "REPORTED": "Sent by the client in recordRun.",
        "UNPRICED": "Nobody could price it: null cost.",
    },
)
expose(
    CostSuggestionKind,
    "CostSuggestionKind",
    "What a savings suggestion is about.",
    {
        "CHEAPER_MODEL": "Same provider, cheaper.",
        "FAILED_RUNS": "Spend on failed runs.",
        "PROMPT_CACHING": "Cache the prompt.",
    },
)
expose(
    AlertMetric,
    "AlertMetric",
    "What a rule measures over its window.",
    {
        "ERROR_RATE": "Failed / finished runs (0..1).",
        "LATENCY_P95_MS": "Exact p95 latency.",
        "LATENCY_P99_MS": "Exact p99 latency.",
        "COST_USD": "Cost of the window's runs.",
        "DAILY_BUDGET_USED": "Fraction of today's budget used (window ignored).",
        "MONTHLY_BUDGET_USED": "Fraction of the month's budget used.",
        "CONSECUTIVE_FAILURES": "Failed runs since the last success.",
        "RUN_COUNT": "Runs started in the window.",
    },
)
expose(
    Comparator,
    "Comparator",
    "How the metric is compared with the threshold.",
    {
        "GT": "value > threshold",
        "GTE": "value >= threshold",
        "LT": "value < threshold",
        "LTE": "value <= threshold",
    },
)
expose(
    Severity,
    "Severity",
    "How bad it is.",
    {"INFO": "Worth knowing.", "WARNING": "Needs attention.", "CRITICAL": "Needs attention now."},
)
expose(
    AlertStatus,
    "AlertStatus",
    "Where an alert is in its lifecycle.",
    {
        "FIRING": "Breached and not acknowledged.",
        "ACKNOWLEDGED": "Someone is on it.",
        "RESOLVED": "Closed, by hand or automatically.",
    },
)
expose(
    AlertEventKind,
    "AlertEventKind",
    "What happened to an alert.",
    {
        "FIRED": "The alert opened.",
        "UPDATED": "Its current value changed.",
        "ACKNOWLEDGED": "Acknowledged by hand.",
        "RESOLVED": "Resolved (see `automatic`).",
    },
)
