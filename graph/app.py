"""The ASGI application: GraphQL (HTTP + graphql-transport-ws), health, GraphiQL, dashboard."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from graph.auth import ApiKeyMiddleware, connection_params_ok
from graph.context import Context, alert_events_loader, calls_loader
from graph.errors import with_code
from graph.graphiql import agentwatch_graphiql_html
from graph.schema import schema
from models.db import ping
from services import __version__
from services.platform import Platform
from services.settings import Settings

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"


class AgentWatchGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, WebSocket auth and offline GraphiQL."""

    def __init__(self, app: Starlette, settings: Settings) -> None:
        super().__init__(
            schema,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            allowed_origins=settings.allowed_origins,
        )
        self._app = app
        self._settings = settings

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        platform: Platform = self._app.state.platform
        return Context(
            platform=platform,
            calls=calls_loader(platform),
            alert_events=alert_events_loader(platform),
            request=request,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        key = self._settings.api_key
        if key is not None and not connection_params_ok(context.connection_params, key):
            raise ConnectionRejectionError({"reason": "missing or wrong API key"})
        return await super().on_ws_connect(context)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(agentwatch_graphiql_html())

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Parse and validation errors never reach schema extensions: code them here.
        response = await super().process_result(request, result)
        for error in response.get("errors") or []:
            with_code(error)  # type: ignore[arg-type]
        return response

    def encode_json(self, data: object) -> str:
        # A str, not bytes: Strawberry sends bytes as binary WebSocket frames, which browsers'
        # graphql-ws cannot parse (it closes with 4004); graphql-transport-ws uses text frames.
        return orjson.dumps(data).decode()


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the monitoring core starts in the lifespan (migrations included)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.platform = await Platform.start(settings)
        try:
            yield
        finally:
            await app.state.platform.stop()

    async def health(request: Request) -> JSONResponse:
        platform: Platform = request.app.state.platform
        try:
            latency = await ping(platform.engine)
        except Exception as exc:
            log.warning("health check: database unreachable: %s", exc)
            body = {
                "status": "error",
                "version": __version__,
                "database": {"ok": False, "error": type(exc).__name__},
            }
            return JSONResponse(body, status_code=503)
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "database": {
                    "ok": True,
                    "dialect": platform.engine.dialect.name,
                    "latencyMs": round(latency, 3),
                },
                "subscribers": platform.runs.subscriber_count,
            }
        )

    async def dashboard(request: Request) -> Response:
        return FileResponse(WEB_DIR / "index.html")

    app = Starlette(lifespan=lifespan)
    gql = AgentWatchGraphQL(app, settings)
    app.router.routes.extend(
        [
            Route("/", dashboard),
            Route("/health", health),
            Route("/graphql", gql),
            WebSocketRoute("/graphql", gql),
            Mount("/static", StaticFiles(directory=WEB_DIR), name="static"),
        ]
    )
    if settings.api_key:
        app.user_middleware.insert(0, Middleware(ApiKeyMiddleware, api_key=settings.api_key))
    return app
