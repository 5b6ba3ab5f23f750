"""Errors the API reports to clients, each with a stable machine-readable code."""

from typing import Any


class AgentWatchError(Exception):
    """A failure the caller can act on; `code` becomes GraphQL's `extensions.code`."""

    code = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class BadUserInput(AgentWatchError):
    code = "BAD_USER_INPUT"


class AgentNotFound(AgentWatchError):
    code = "AGENT_NOT_FOUND"


class AgentDisabled(AgentWatchError):
    code = "AGENT_DISABLED"


class Unauthenticated(AgentWatchError):
    code = "UNAUTHENTICATED"


class Forbidden(AgentWatchError):
    """The API key is valid but lacks the scope this operation needs."""

    code = "FORBIDDEN"


class DatabaseUnavailable(AgentWatchError):
    """The database did not answer in time or could not be reached; safe to retry."""

    code = "DATABASE_UNAVAILABLE"
