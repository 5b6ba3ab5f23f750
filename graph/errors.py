"""Error shaping: stable `extensions.code` on every error, unexpected ones masked and logged."""

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from services.errors import AgentWatchError

log = logging.getLogger("agentwatch.graphql")
MASKED_MESSAGE = "Unexpected server error; it has been logged."


def client_error_code(message: str) -> str:
    """Code for an error in the request itself (Apollo's conventions, which clients know)."""
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def with_code(formatted: dict[str, Any]) -> dict[str, Any]:
    """Give an already formatted error (parse or validation) its `extensions.code`."""
    extensions = formatted.setdefault("extensions", {})
    extensions.setdefault("code", client_error_code(str(formatted.get("message", ""))))
    return formatted


def shape_error(error: GraphQLError) -> GraphQLError:
    """Map one error to what the client may see."""
    original = error.original_error
    if isinstance(original, AgentWatchError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": original.code, **original.extensions},
        )
    if original is None or isinstance(original, GraphQLError):
        # Validation and variable-coercion errors: the client's request is at fault.
        code = (error.extensions or {}).get("code") or client_error_code(error.message)
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code},
        )
    if isinstance(original, ValueError) and error.path is None:
        # Scalar parsing (e.g. a malformed DateTime variable) raises ValueError before execution.
        return GraphQLError(error.message, nodes=error.nodes, extensions={"code": "BAD_USER_INPUT"})
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
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [shape_error(error) for error in result.errors]
