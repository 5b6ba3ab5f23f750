"""Cheap checks of a GraphQL request document before Strawberry converts anything.

Strawberry's argument conversion costs ~80 µs per list item, so a 100k-run `recordRuns`
stalled the event loop for 21 s before the resolver's 1,000-run cap refused it; a variables
object nested 1,000 deep raised RecursionError; text with a NUL character or a lone
surrogate cannot be stored by PostgreSQL (NUL) or by either database (surrogates). One walk
over the decoded JSON refuses all of these with a coded error naming the place, for HTTP and
WebSocket alike.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

import orjson

from services.errors import BadUserInput

MAX_LIST_ITEMS = 1000
MAX_VARIABLES_DEPTH = 32
# A NUL written raw or as a GraphQL escape (`\u0000`, `\u{0}`) in the query text.
_NUL_IN_QUERY = re.compile(r"\x00|\\u0000|\\u\{0+\}", re.IGNORECASE)


class BadRequest(Exception):
    """The HTTP request itself is malformed (not a GraphQL request); code BAD_REQUEST."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def decode_document(body: bytes) -> dict[str, Any]:
    """Decode a JSON request body into a GraphQL request object or raise `BadRequest` /
    `BadUserInput` (lone surrogates: orjson refuses them, the stdlib names where)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        data = _fallback_decode(body, exc)
    if not isinstance(data, dict):
        raise BadRequest("the request body must be a JSON object with a `query` string")
    return data


def _fallback_decode(body: bytes, error: orjson.JSONDecodeError) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not valid UTF-8") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest(f"the request body is not valid JSON: {str(error)[:120]}") from None


def check_request(data: Mapping[str, Any]) -> None:
    """Shape of `{query, variables, operationName, extensions}` and the safety of their
    values; raises `BadRequest` (shape) or `BadUserInput` (values)."""
    query = data.get("query")
    if not isinstance(query, str | None):
        raise BadRequest("`query` must be a string")
    for name in ("variables", "extensions"):
        if not isinstance(data.get(name), dict | None):
            raise BadRequest(f"`{name}` must be an object or null")
    if not isinstance(data.get("operationName"), str | None):
        raise BadRequest("`operationName` must be a string or null")
    if query is not None:
        if _has_surrogate(query):
            raise BadUserInput("the query contains a lone surrogate", field="query")
        if _NUL_IN_QUERY.search(query):
            raise BadUserInput("NUL characters cannot be stored; remove them", field="query")
    check_value(data.get("variables") or {}, "$", 0)


class _Refused(Exception):
    """A leaf refusal travelling up the walk; each container adds its step of the path on the
    way out, so a valid document (every request) builds no path strings at all."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.steps: list[str] = []


def check_value(value: Any, path: str, depth: int) -> None:
    """Refuse lists over MAX_LIST_ITEMS, nesting over MAX_VARIABLES_DEPTH, and strings (or
    keys) holding NUL or lone surrogates, naming the path of the offending value."""
    try:
        _walk(value, depth)
    except _Refused as refused:
        where = path + "".join(reversed(refused.steps))
        raise BadUserInput(refused.problem.format(path=where), field=where) from None


def _walk(value: Any, depth: int) -> None:
    if depth > MAX_VARIABLES_DEPTH:
        raise _Refused(f"variables nest deeper than {MAX_VARIABLES_DEPTH} levels")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)  # a bad key is named by its container's path
            try:
                _walk(item, depth + 1)
            except _Refused as refused:
                refused.steps.append(f".{key[:60]}")
                raise
    elif isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            raise _Refused(
                f"{{path}} holds {len(value)} items; at most {MAX_LIST_ITEMS} are accepted"
            )
        for index, item in enumerate(value):
            try:
                _walk(item, depth + 1)
            except _Refused as refused:
                refused.steps.append(f"[{index}]")
                raise


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise _Refused("{path} contains a NUL character, which cannot be stored")
    if _has_surrogate(text):
        raise _Refused("{path} contains a lone surrogate (invalid Unicode)")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
