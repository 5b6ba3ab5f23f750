"""Authentication in one place: an ASGI middleware in front of everything.

Every HTTP request and WebSocket handshake passes here before any GraphQL handling. Only the
static assets (dashboard, GraphiQL, `/static/*`), bare `/health` (up/down only) and the
GraphiQL page itself (`GET /graphql` with no query string at all, so nothing can be
executed) are served without a key. The decision never looks at the query string's text:
a request either has no parameters at all or needs a key, however they are encoded.
WebSockets may authenticate later, in `connection_init` (browsers cannot set headers on a
handshake); `AgentWatchGraphQL.on_ws_connect` uses the same `Authenticator`.
"""

import hmac
from collections.abc import Callable, Mapping

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from models.db import is_database_unavailable
from services.api_keys import ADMIN_ENV, ANONYMOUS, ApiKeyStore, Principal

PRINCIPAL_SCOPE_KEY = "agentwatch.principal"
PUBLIC_PATHS = frozenset({"/", "/health"})
STATIC_PREFIX = "/static/"


def graphql_error_body(message: str, code: str, **extensions: object) -> bytes:
    """A GraphQL-shaped error document for answers given outside Strawberry."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return orjson.dumps({"data": None, "errors": [error]})


UNAUTHENTICATED_BODY = graphql_error_body(
    "missing or wrong API key: send `Authorization: Bearer <key>`", "UNAUTHENTICATED"
)
DATABASE_UNAVAILABLE_BODY = graphql_error_body(
    "the database is not answering; retry later", "DATABASE_UNAVAILABLE"
)


def bearer_token(value: object) -> str | None:
    """The token of an `Authorization: Bearer <token>` value."""
    if not isinstance(value, str) or not value.startswith("Bearer "):
        return None
    return value.removeprefix("Bearer ").strip() or None


class Authenticator:
    """Resolves a presented key: the environment key (admin) or a stored key with scopes.

    Authentication is on when `AGENTWATCH_API_KEY` is set or any stored key is active."""

    def __init__(self, env_key: str | None, store: ApiKeyStore) -> None:
        self._env_key = env_key
        self._store = store

    async def enabled(self) -> bool:
        return self._env_key is not None or await self._store.any_active()

    async def principal(self, authorization: object) -> Principal | None:
        """Who `authorization` (`Bearer <key>`) is, or None for a missing or wrong key."""
        token = bearer_token(authorization)
        if token is None:
            return None
        if self._env_key is not None and hmac.compare_digest(
            token.encode(), self._env_key.encode()
        ):
            return ADMIN_ENV
        return await self._store.resolve(token)

    async def for_connection_params(self, params: Mapping[str, object] | None) -> Principal | None:
        """graphql-transport-ws `connection_init` payload `{"Authorization": "Bearer <key>"}`
        (also lower-case, as browsers' clients often send it)."""
        if not await self.enabled():
            return ANONYMOUS
        params = params or {}
        return await self.principal(params.get("Authorization", params.get("authorization")))


def is_public(scope: Scope) -> bool:
    """Paths that hold no data: static assets, bare /health, the GraphiQL page."""
    path: str = scope["path"]
    if scope["type"] != "http":
        return False
    if path in PUBLIC_PATHS or path.startswith(STATIC_PREFIX):
        return True
    return path == "/graphql" and scope["method"] == "GET" and not scope.get("query_string")


def principal_of(scope: Mapping[str, object]) -> Principal | None:
    principal = scope.get(PRINCIPAL_SCOPE_KEY)
    return principal if isinstance(principal, Principal) else None


class AuthMiddleware:
    """Sets `scope["agentwatch.principal"]`; answers 401 (HTTP) or closes 4403 (WebSocket
    with a wrong `Authorization` header) before the app sees anything else."""

    def __init__(self, app: ASGIApp, authenticator: Callable[[], Authenticator]) -> None:
        self.app = app
        # A factory: the authenticator needs the database, so the app builds it at startup.
        self._authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            principal = await self._principal(scope)
        except Exception as exc:
            if not is_database_unavailable(exc):
                raise
            if is_public(scope):  # /health must still answer "down", the dashboard load
                await self.app(scope, receive, send)
            else:
                await _refuse(scope, send, 503, DATABASE_UNAVAILABLE_BODY)
            return
        if principal is not None:
            scope[PRINCIPAL_SCOPE_KEY] = principal
        elif scope["type"] == "websocket":
            if "authorization" in Headers(scope=scope):
                await send({"type": "websocket.close", "code": 4403})
                return
        elif not is_public(scope):
            await _refuse(scope, send, 401, UNAUTHENTICATED_BODY)
            return
        await self.app(scope, receive, send)

    async def _principal(self, scope: Scope) -> Principal | None:
        auth = self._authenticator()
        if not await auth.enabled():
            return ANONYMOUS
        header = Headers(scope=scope).get("authorization")
        return None if header is None else await auth.principal(header)


async def _refuse(scope: Scope, send: Send, status: int, body: bytes) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1013 if status == 503 else 4403})
        return
    headers = [(b"content-type", b"application/json")]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
