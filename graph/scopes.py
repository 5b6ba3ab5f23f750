"""Scopes per root field: reads need `read`, recordRun/recordRuns need `ingest`, every other
mutation needs `admin` (which also allows everything else). Checked on every root field of
every operation, over HTTP and WebSocket alike, before its resolver runs."""

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from services.api_keys import Principal, Scope
from services.errors import Forbidden

INGEST_MUTATIONS = frozenset({"recordRun", "recordRuns"})


def required_scope(parent_type: str, field_name: str) -> Scope:
    if parent_type == "Mutation":
        return Scope.INGEST if field_name in INGEST_MUTATIONS else Scope.ADMIN
    return Scope.READ


def require(principal: Principal | None, parent_type: str, field_name: str) -> None:
    """Raise FORBIDDEN unless `principal` may run `parent_type.field_name`."""
    scope = required_scope(parent_type, field_name)
    if principal is None or not principal.allows(scope):
        raise Forbidden(
            f"this API key lacks the `{scope}` scope needed for {field_name}", scope=str(scope)
        )


class ScopeCheck(SchemaExtension):
    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: str,
        **kwargs: Any,
    ) -> Awaitable[object] | object:
        if info.path.prev is None:
            require(info.context.principal, info.parent_type.name, info.field_name)
        result: Awaitable[object] | object = _next(root, info, *args, **kwargs)
        return result
