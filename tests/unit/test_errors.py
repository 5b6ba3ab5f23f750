"""Error shaping: our errors keep their code, unexpected ones are masked and logged."""

import logging

import pytest
from graphql import GraphQLError

from graph.errors import MASKED_MESSAGE, shape_error
from services.errors import AgentNotFound


def test_unexpected_errors_are_masked_for_clients_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = RuntimeError("password=hunter2 in connection string")
    original = GraphQLError(str(secret), path=["runAgent"], original_error=secret)
    with caplog.at_level(logging.ERROR, logger="agentwatch.graphql"):
        shaped = shape_error(original)
    assert shaped.message == MASKED_MESSAGE and "hunter2" not in shaped.message
    assert shaped.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert shaped.path == ["runAgent"]
    assert any(r.exc_info and r.exc_info[1] is secret for r in caplog.records)


def test_known_errors_keep_their_code_and_details() -> None:
    error = AgentNotFound("no executable agent named 'x'", agent="x")
    shaped = shape_error(GraphQLError(error.message, path=["runAgent"], original_error=error))
    assert shaped.message == "no executable agent named 'x'"
    assert shaped.extensions == {"code": "AGENT_NOT_FOUND", "agent": "x"}


def test_request_errors_get_request_codes() -> None:
    assert shape_error(GraphQLError("Syntax Error: Expected Name")).extensions == {
        "code": "GRAPHQL_PARSE_FAILED"
    }
    assert shape_error(GraphQLError("Variable '$s' got invalid value")).extensions == {
        "code": "BAD_USER_INPUT"
    }
    assert shape_error(GraphQLError("Cannot query field 'x'")).extensions == {
        "code": "GRAPHQL_VALIDATION_FAILED"
    }
