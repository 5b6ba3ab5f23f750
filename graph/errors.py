"""Error shaping: stable `extensions.code` on every error, unexpected ones masked and logged.

Client errors (bad input, auth, parse and validation errors) are logged once at INFO without
a traceback and with the message cut to `MAX_MESSAGE` characters (a 5 MB token used to come
back as a 5 MB answer and a 5 MB ERROR line); only unexpected errors get a traceback.
"""

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from models.db import is_database_unavailable
from services.errors import AgentWatchError

log = logging.getLogger("agentwatch.graphql")
MASKED_MESSAGE = "Unexpected server error; it has been logged."
UNAVAILABLE_MESSAGE = "The database is not answering; retry later."
MAX_MESSAGE = 300


def capped(message: str) -> str:
    """`message` cut to MAX_MESSAGE characters, marked when cut (never echo huge input)."""
    if len(message) <= MAX_MESSAGE:
        return message
    return f"{message[:MAX_MESSAGE]}… ({len(message) - MAX_MESSAGE} more characters)"


def client_error_code(message: str) -> str:
    """Code for an error in the request itself (Apollo's conventions, which clients know)."""
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith(("Variable '$", "Expected value of type")):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def with_code(formatted: dict[str, Any]) -> dict[str, Any]:
    """Give an already formatted error (parse or validation) its `extensions.code`."""
    formatted["message"] = capped(str(formatted.get("message", "")))
    extensions = formatted.setdefault("extensions", {})
    extensions.setdefault("code", client_error_code(str(formatted.get("message", ""))))
    return formatted


def is_client_error(error: GraphQLError) -> bool:
    original = error.original_error
    return (
        original is None
        or isinstance(original, GraphQLError | AgentWatchError | OverflowError)
        or (isinstance(original, ValueError) and error.path is None)
    )


def shape_error(error: GraphQLError) -> GraphQLError:
    """Map one error to what the client may see."""
    original = error.original_error
    if isinstance(original, AgentWatchError):
        return GraphQLError(
            capped(original.message),
            nodes=error.nodes,
            path=error.path,
            extensions={"code": original.code, **original.extensions},
        )
    if original is None or isinstance(original, GraphQLError):
        # Validation and variable-coercion errors: the client's request is at fault.
        code = (error.extensions or {}).get("code") or client_error_code(error.message)
        return GraphQLError(
            capped(error.message),
            nodes=error.nodes,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code},
        )
    if isinstance(original, ValueError) and error.path is None:
        # Scalar parsing (e.g. a malformed DateTime variable) raises ValueError before execution.
        return GraphQLError(
            capped(error.message), nodes=error.nodes, extensions={"code": "BAD_USER_INPUT"}
        )
    if isinstance(original, OverflowError):
        # Date or number arithmetic on a value the client chose, e.g. a window at year 9999.
        return GraphQLError(
            "a date or number in the request is out of range",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "BAD_USER_INPUT"},
        )
    if is_database_unavailable(original):
        return GraphQLError(
            UNAVAILABLE_MESSAGE,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "DATABASE_UNAVAILABLE", "retryable": True},
        )
    log.error("unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED_MESSAGE,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class ErrorCodes(SchemaExtension):
    """Rewrite the errors of every operation (queries, mutations and subscription events)."""

    def on_operation(self) -> Iterator[None]:
        yield
        self._shape()

    def on_execute(self) -> Iterator[None]:
        # Also right after execution: queries and mutations sent over a WebSocket are sent
        # before `on_operation` ends. Shaping twice is harmless (shaped errors keep codes).
        yield
        self._shape()

    def _shape(self) -> None:
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [shape_error(error) for error in result.errors]


class AgentWatchSchema(strawberry.Schema):
    """Strawberry's schema with quiet logging: Strawberry logs every error at ERROR with a
    traceback; here client errors are one INFO line, an unavailable database one WARNING, and
    unexpected errors are left to `shape_error` (one ERROR with the traceback)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_client_error(error):
                log.info("client error: %s", capped(error.message))
            elif error.original_error is not None and is_database_unavailable(error.original_error):
                log.warning("database unavailable: %s", type(error.original_error).__name__)
