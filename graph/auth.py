"""API-key checks for GraphQL over HTTP (ASGI middleware) and over WebSockets."""

import hmac
from collections.abc import Mapping

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

UNAUTHENTICATED_BODY = orjson.dumps(
    {
        "data": None,
        "errors": [
            {
                "message": "missing or wrong API key: send `Authorization: Bearer <key>`",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
)


def bearer_matches(value: object, api_key: str) -> bool:
    """Constant-time check of an `Authorization` value (`Bearer <key>`)."""
    if not isinstance(value, str) or not value.startswith("Bearer "):
        return False
    return hmac.compare_digest(value.removeprefix("Bearer ").encode(), api_key.encode())


def connection_params_ok(params: Mapping[str, object] | None, api_key: str) -> bool:
    """graphql-transport-ws `connection_init` payload: `{"Authorization": "Bearer <key>"}`
    (also accepted lower-case, as browsers' clients often send it)."""
    params = params or {}
    return bearer_matches(params.get("Authorization", params.get("authorization")), api_key)


class ApiKeyMiddleware:
    """Rejects GraphQL HTTP requests without the key; the GraphiQL page itself stays public
    (it holds no data, and lets the user type the header)."""

    def __init__(self, app: ASGIApp, api_key: str, path: str = "/graphql") -> None:
        self.app = app
        self.api_key = api_key
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_ide_page = (
            scope["method"] == "GET"
            and "text/html" in headers.get("accept", "")
            and b"query=" not in scope.get("query_string", b"")
        )
        if is_ide_page or bearer_matches(headers.get("authorization"), self.api_key):
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b"Bearer"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": UNAUTHENTICATED_BODY})
