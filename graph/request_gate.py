"""The HTTP gate of /graphql: body size while streaming, then the document's cheap checks.

Runs after authentication and before Strawberry. A body over `max_body_bytes` is refused
with 413 as soon as its Content-Length or its streamed size says so, never buffered whole
(a 100 MB body used to take 1 GB and stall every client for 18 s). Anything that is not a
GraphQL request gets a 4xx with a GraphQL-shaped, coded JSON error instead of a bare 500.
"""

from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.auth import graphql_error_body
from graph.request_check import BadRequest, check_request, decode_document
from services.errors import BadUserInput

GRAPHQL_PATH = "/graphql"


class BodyTooLarge(Exception):
    pass


class RequestGate:
    """Checks every HTTP request to /graphql; other paths and WebSockets pass untouched."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRAPHQL_PATH:
            await self.app(scope, receive, send)
            return
        try:
            replay = await self._check(scope, receive)
        except BodyTooLarge:
            await _answer(
                send,
                413,
                graphql_error_body(
                    f"the request body is larger than {self.max_body_bytes} bytes",
                    "PAYLOAD_TOO_LARGE",
                    limit=self.max_body_bytes,
                ),
            )
            return
        except BadRequest as exc:
            await _answer(send, exc.status, graphql_error_body(exc.message, "BAD_REQUEST"))
            return
        except BadUserInput as exc:
            body = graphql_error_body(exc.message, exc.code, **exc.extensions)
            await _answer(send, 400, body)
            return
        await self.app(scope, replay or receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> Receive | None:
        method = scope["method"]
        if method == "GET":
            if scope.get("query_string"):
                _check_query_params(scope["query_string"])
            return None
        if method != "POST":
            raise BadRequest("GraphQL takes GET and POST requests", status=405)
        headers = Headers(scope=scope)
        if "application/json" not in headers.get("content-type", "").lower():
            raise BadRequest("send the GraphQL request as application/json", status=415)
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            raise BodyTooLarge
        body = await self._read_body(receive)
        check_request(decode_document(body))
        return _replay(body, receive)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise BadRequest("the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _check_query_params(query_string: bytes) -> None:
    try:
        params = dict(
            parse_qsl(
                query_string.decode("latin-1"),
                keep_blank_values=True,
                encoding="utf-8",
                errors="strict",
            )
        )
    except UnicodeDecodeError:
        raise BadRequest("the query string is not valid UTF-8") from None
    data: dict[str, object] = {
        "query": params.get("query"),
        "operationName": params.get("operationName"),
    }
    for name in ("variables", "extensions"):
        if params.get(name):
            data[name] = decode_document(params[name].encode("utf-8", "surrogatepass"))
    check_request(data)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body over once, then the real stream (so
    `http.disconnect` still arrives)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
