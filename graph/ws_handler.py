"""graphql-transport-ws with our caps: each `subscribe` message passes the same document
checks as HTTP (NUL, lone surrogates, list sizes, nesting) and the per-connection operation
cap, each refused with a proper `error` message carrying `extensions.code`; the connection's
place in its key's count is given back when it ends."""

from typing import TYPE_CHECKING, Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.types.execution import PreExecutionError

from graph.context import Context
from graph.errors import shape_error
from graph.request_check import BadRequest, check_request
from services.errors import BadUserInput

if TYPE_CHECKING:
    from graph.app import AgentWatchGraphQL


class GuardedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            view: AgentWatchGraphQL = self.view  # type: ignore[assignment]
            view.release_connection(self.context)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            refusal = self._refusal(message)
            if refusal is not None:
                error: ErrorMessage = {"id": message["id"], "type": "error", "payload": [refusal]}  # type: ignore[list-item]
                await self.send_message(error)
                return
        await super().handle_subscribe(message)

    async def _handle_pre_execution_error(
        self, operation: Operation[Context, None], result: PreExecutionError
    ) -> None:
        # Errors before a subscription's first event (validation, a refused scope) do not pass
        # through schema extensions on this path: give them their codes here, as over HTTP.
        result.errors = [shape_error(error) for error in result.errors or []]
        await super()._handle_pre_execution_error(operation, result)

    def _refusal(self, message: SubscribeMessage) -> dict[str, Any] | None:
        cap = self.max_subscriptions_per_connection
        if cap is not None and len(self.operations) >= cap:
            return {
                "message": f"at most {cap} operations per connection",
                "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS", "limit": cap},
            }
        payload: Any = message.get("payload")
        try:
            if not isinstance(payload, dict):
                raise BadRequest("`payload` must be an object")
            check_request(payload)
        except BadRequest as exc:
            return {"message": exc.message, "extensions": {"code": "BAD_REQUEST"}}
        except BadUserInput as exc:
            return {"message": exc.message, "extensions": {"code": exc.code, **exc.extensions}}
        return None
