"""WebSocket API glue for Lambda handlers (API Gateway WebSocket APIs, Lambda proxy events).

``WebSocketRouter``: a handler module registers a function per route key exactly as the
template spells it (``$connect``, ``$disconnect``, ``$default``, ``answer``, ...) and exports
the router as the Lambda handler. API Gateway (and the local gateway) puts the route key in
``requestContext.routeKey``. A domain error raised by a route function goes to the router's
error sink (an error frame to the connection) and the invocation still answers 200: the
connection stays open. Anything unexpected is logged with the request id and reported as
``internal_error``. On ``$connect`` a failure answers 500 instead, which refuses the handshake.

``request_authorizer`` turns a token verifier into a REQUEST authorizer: the token comes from
the ``token`` query parameter; an invalid one raises ``Unauthorized`` (API Gateway's 401), a
valid one returns an Allow policy whose context the gateway passes to every later event of
the connection. Tokens are never logged.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.core.errors import DomainError, Unauthorized
from services.core.routing import RouteRegistry

logger = logging.getLogger(__name__)

OK = {"statusCode": 200}


class InternalError(DomainError):
    code = "internal_error"
    status = 500
    retryable = True


@dataclass(frozen=True)
class WsRequest:
    route_key: str
    event_type: str
    connection_id: str
    request_id: str
    body: str | None
    authorizer: dict[str, Any]
    domain_name: str
    stage: str
    connected_at: int

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> WsRequest:
        context = event.get("requestContext") or {}
        body = event.get("body")
        if body is not None and event.get("isBase64Encoded"):
            body = base64.b64decode(body).decode("utf-8", errors="replace")
        return cls(
            route_key=str(context.get("routeKey", "")),
            event_type=str(context.get("eventType", "")),
            connection_id=str(context.get("connectionId", "")),
            request_id=str(context.get("requestId", "")),
            body=body,
            authorizer=dict(context.get("authorizer") or {}),
            domain_name=str(context.get("domainName", "")),
            stage=str(context.get("stage", "")),
            connected_at=int(context.get("connectedAt") or 0),
        )


Route = Callable[[WsRequest], None]
ErrorSink = Callable[[WsRequest, DomainError], None]


class WebSocketRouter(RouteRegistry[Route]):
    def __init__(self, error_sink: ErrorSink | None = None) -> None:
        super().__init__()
        self._error_sink = error_sink

    def __call__(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        request = WsRequest.from_event(event)
        function = self._routes.get(request.route_key) or self._routes.get("$default")
        try:
            if function is None:
                raise InternalError(f"no route for {request.route_key}")
            function(request)
            return OK
        except DomainError as error:
            if request.event_type == "CONNECT":
                return {"statusCode": error.status}
            self._report(request, error)
        except Exception:
            logger.exception("route %s failed (request %s)", request.route_key,
                             request.request_id)
            if request.event_type == "CONNECT":
                return {"statusCode": 500}
            self._report(request, InternalError("something went wrong; try again"))
        return OK

    def _report(self, request: WsRequest, error: DomainError) -> None:
        if self._error_sink is None or request.event_type != "MESSAGE":
            return
        try:
            self._error_sink(request, error)
        except Exception:
            logger.exception("could not send the error frame (request %s)", request.request_id)


Verify = Callable[[str], dict[str, Any]]


def request_authorizer(verify: Callable[[], Verify]) -> Callable[[dict[str, Any], Any], Any]:
    """A REQUEST authorizer for ``$connect``: ``verify()`` gives the verifier (built lazily)."""

    def authorize(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        token = (event.get("queryStringParameters") or {}).get("token") or ""
        try:
            claims = verify()(token)
        except Unauthorized as refused:
            logger.info("connection refused: %s", refused.message)
            raise Exception("Unauthorized") from None  # API Gateway's literal for a 401
        player_id = str(claims["sub"])
        return {
            "principalId": player_id,
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow",
                               "Resource": event.get("methodArn", "*")}],
            },
            "context": {
                "player_id": player_id,
                "username": str(claims.get("username") or claims.get("cognito:username") or ""),
                "token_expires_at": int(claims["exp"]),
            },
        }

    return authorize
