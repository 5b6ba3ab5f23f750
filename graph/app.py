"""The ASGI application: GraphQL (HTTP + graphql-transport-ws), health, GraphiQL, dashboard.

Requests pass, outermost first: security headers, WebSocket caps, authentication, the
/graphql request gate, then Starlette's routes.
"""

import logging
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from graph.auth import Authenticator, AuthMiddleware, graphql_error_body, principal_of
from graph.context import Context, alert_events_loader, calls_loader
from graph.errors import with_code
from graph.graphiql import BOOTSTRAP_PATH, graphiql_page_and_bootstrap
from graph.headers import SecurityHeaders
from graph.request_gate import RequestGate
from graph.schema import schema
from graph.ws_guard import WebSocketGuard
from graph.ws_handler import GuardedTransportWSHandler
from models.db import is_database_unavailable, ping
from services import __version__
from services.api_keys import ANONYMOUS
from services.platform import Platform
from services.settings import Settings

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"


class AgentWatchGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, WebSocket auth and caps, offline GraphiQL."""

    graphql_transport_ws_handler_class = GuardedTransportWSHandler

    def __init__(self, app: Starlette, settings: Settings) -> None:
        super().__init__(
            schema,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            allowed_origins=settings.allowed_origins,
            max_subscriptions_per_connection=settings.ws_max_subscriptions_per_connection,
        )
        self._app = app
        self._settings = settings
        self._key_connections: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:  # Strawberry's own refusals, GraphQL-shaped and coded
            response = Response(
                graphql_error_body(exc.reason[:300], "BAD_REQUEST"),
                exc.status_code,
                media_type="application/json",
            )
        await response(scope, receive, send)

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: Any,
    ) -> ExecutionResult:
        """Strawberry's, minus subscriptions: over plain HTTP (no streaming transport is
        enabled) they used to run as a query and fail with an internal error."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            reason = exc.as_http_error_reason(request_adapter.method)
            if exc.operation_type is OperationType.SUBSCRIPTION:
                reason = "subscriptions are served over WebSocket (graphql-transport-ws) only"
            raise HTTPException(400, reason) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        platform: Platform = self._app.state.platform
        return Context(
            platform=platform,
            calls=calls_loader(platform),
            alert_events=alert_events_loader(platform),
            request=request,
            principal=principal_of(request.scope),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        if context.principal is None:
            authenticator: Authenticator = self._app.state.authenticator
            try:
                context.principal = await authenticator.for_connection_params(
                    context.connection_params
                )
            except Exception as exc:
                if is_database_unavailable(exc):
                    raise ConnectionRejectionError({"reason": "database unavailable"}) from exc
                raise
            if context.principal is None:
                raise ConnectionRejectionError({"reason": "missing or wrong API key"})
        key = context.principal.key_id
        if key != ANONYMOUS.key_id:
            if self._key_connections[key] >= self._settings.ws_max_connections_per_key:
                raise ConnectionRejectionError(
                    {"reason": "too many connections for this key", "code": "TOO_MANY_CONNECTIONS"}
                )
            self._key_connections[key] += 1
            context.counted_key = key
        return await super().on_ws_connect(context)

    def release_connection(self, context: Context) -> None:
        """Called when a WebSocket ends: give back its place in its key's connection count."""
        if context.counted_key is not None:
            self._key_connections[context.counted_key] -= 1
            if self._key_connections[context.counted_key] <= 0:
                del self._key_connections[context.counted_key]
            context.counted_key = None

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page_and_bootstrap()[0])

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


def health_body(platform: Platform, latency: float, detailed: bool) -> Mapping[str, object]:
    if not detailed:
        return {"status": "ok"}
    return {
        "status": "ok",
        "version": __version__,
        "database": {
            "ok": True,
            "dialect": platform.engine.dialect.name,
            "latencyMs": round(latency, 3),
        },
        "subscribers": platform.runs.subscriber_count,
    }


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the monitoring core starts in the lifespan (migrations included)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.platform = await Platform.start(settings)
        app.state.authenticator = Authenticator(settings.api_key, app.state.platform.api_keys)
        try:
            yield
        finally:
            await app.state.platform.stop()

    async def health(request: Request) -> JSONResponse:
        """Up or down for anyone; version, database and subscriber details with a key."""
        platform: Platform = request.app.state.platform
        detailed = principal_of(request.scope) is not None
        try:
            latency = await ping(platform.engine, settings.health_timeout_seconds)
        except Exception as exc:
            if not is_database_unavailable(exc):
                log.exception("health check failed")
            else:
                log.warning("health check: database unavailable: %s", type(exc).__name__)
            body: dict[str, object] = {"status": "error"}
            if detailed:
                body["database"] = {"ok": False, "error": type(exc).__name__}
            return JSONResponse(body, status_code=503)
        return JSONResponse(health_body(platform, latency, detailed))

    async def dashboard(request: Request) -> Response:
        return FileResponse(WEB_DIR / "index.html")

    async def graphiql_bootstrap(request: Request) -> Response:
        return Response(graphiql_page_and_bootstrap()[1], media_type="text/javascript")

    app = Starlette(lifespan=lifespan)
    gql = AgentWatchGraphQL(app, settings)
    app.router.routes.extend(
        [
            Route("/", dashboard),
            Route("/health", health),
            Route("/graphql", gql),
            WebSocketRoute("/graphql", gql),
            Route(BOOTSTRAP_PATH, graphiql_bootstrap),
            Mount("/static", StaticFiles(directory=WEB_DIR), name="static"),
        ]
    )
    # Outermost first. The authenticator is created in the lifespan (it needs the database);
    # the middleware finds it through the app's state.
    app.user_middleware[:0] = [
        Middleware(SecurityHeaders),
        Middleware(
            WebSocketGuard,
            max_per_client=settings.ws_max_connections_per_client,
            send_timeout=settings.ws_send_timeout_seconds,
        ),
        Middleware(AuthMiddleware, authenticator=lambda: app.state.authenticator),
        Middleware(RequestGate, max_body_bytes=settings.max_body_bytes),
    ]
    return app


__all__ = ["AgentWatchGraphQL", "create_app"]
