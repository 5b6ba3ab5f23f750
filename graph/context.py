"""The typed context every resolver receives."""

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from services.api_keys import Principal
from services.platform import Platform
from services.records import LlmCallRecord
from services.run_queries import calls_by_run


def calls_loader(platform: Platform) -> DataLoader[str, list[LlmCallRecord]]:
    """Batch the per-call usage of every run on a page into one query. `cache=False` because a
    WebSocket shares one context for hours and runs' calls are written after the run starts."""

    async def load(run_ids: list[str]) -> list[list[LlmCallRecord]]:
        grouped = await calls_by_run(platform.engine, run_ids)
        return [grouped.get(run_id, []) for run_id in run_ids]

    return DataLoader(load_fn=load, cache=False)


@dataclass
class Context:
    platform: Platform
    calls: DataLoader[str, list[LlmCallRecord]]
    request: Request | WebSocket | None = None
    # Filled by Strawberry for WebSocket connections (graphql-transport-ws connection_init).
    connection_params: dict[str, Any] | None = field(default=None)
    # Who sent the operation (set by the auth middleware, or at connection_init).
    principal: Principal | None = None
    # The key whose WebSocket connection count this connection holds, released at its end.
    counted_key: str | None = None
