"""The typed context every resolver receives."""

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from services.alerts import AlertEvent
from services.api_keys import Principal
from services.platform import Platform
from services.records import LlmCallRecord


def calls_loader(platform: Platform) -> DataLoader[str, list[LlmCallRecord]]:
    """Batch the per-call usage of every run on a page into one query. `cache=False` because a
    WebSocket shares one context for hours and runs' calls are written after the run starts."""

    async def load(run_ids: list[str]) -> list[list[LlmCallRecord]]:
        grouped = await platform.run_queries.calls(run_ids)
        return [grouped.get(run_id, []) for run_id in run_ids]

    return DataLoader(load_fn=load, cache=False)


def alert_events_loader(platform: Platform) -> DataLoader[int, list[AlertEvent]]:
    """Batch the histories of every alert on a page into one query (`cache=False`: a
    WebSocket's context lives for hours while alerts keep changing)."""

    async def load(alert_ids: list[int]) -> list[list[AlertEvent]]:
        grouped = await platform.alerts.events(alert_ids)
        return [grouped.get(alert_id, []) for alert_id in alert_ids]

    return DataLoader(load_fn=load, cache=False)


@dataclass
class Context:
    platform: Platform
    calls: DataLoader[str, list[LlmCallRecord]]
    alert_events: DataLoader[int, list[AlertEvent]]
    request: Request | WebSocket | None = None
    # Filled by Strawberry for WebSocket connections (graphql-transport-ws connection_init).
    connection_params: dict[str, Any] | None = field(default=None)
    # Who sent the operation (set by the auth middleware, or at connection_init).
    principal: Principal | None = None
    # The key whose WebSocket connection count this connection holds, released at its end.
    counted_key: str | None = None
