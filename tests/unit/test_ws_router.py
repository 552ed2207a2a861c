"""WebSocket glue: routing by route key, errors to the sink, the REQUEST authorizer."""

from __future__ import annotations

import pytest

from services.core.auth import InvalidToken
from services.core.errors import DomainError, NotFound
from services.core.ws import WebSocketRouter, WsRequest, request_authorizer

pytestmark = pytest.mark.unit


def _event(route_key: str, event_type: str = "MESSAGE", body: str | None = "{}") -> dict:
    return {
        "requestContext": {
            "routeKey": route_key, "eventType": event_type, "connectionId": "c1",
            "requestId": "r1", "domainName": "localhost", "stage": "live",
            "connectedAt": 1_700_000_000_000,
            "authorizer": {"player_id": "p1", "username": "ann", "token_expires_at": 99},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _router() -> tuple[WebSocketRouter, list[tuple[WsRequest, DomainError]], list[str]]:
    errors: list[tuple[WsRequest, DomainError]] = []
    seen: list[str] = []
    router = WebSocketRouter(error_sink=lambda request, error: errors.append((request, error)))

    @router.route("answer")
    def answer(request: WsRequest) -> None:
        seen.append(request.authorizer["player_id"])

    @router.route("missing")
    def missing(request: WsRequest) -> None:
        raise NotFound("nope")

    @router.route("boom")
    def boom(request: WsRequest) -> None:
        raise RuntimeError("internal detail")

    @router.route("$default")
    def default(request: WsRequest) -> None:
        seen.append("default:" + request.route_key)

    return router, errors, seen


def test_routes_by_route_key_with_the_authorizer_context() -> None:
    router, errors, seen = _router()
    assert router(_event("answer")) == {"statusCode": 200}
    assert seen == ["p1"] and errors == []


def test_an_unknown_route_key_goes_to_default() -> None:
    router, _, seen = _router()
    router(_event("nothing-here"))
    assert seen == ["default:nothing-here"]


def test_a_domain_error_becomes_an_error_frame_and_the_connection_stays() -> None:
    router, errors, _ = _router()
    assert router(_event("missing")) == {"statusCode": 200}
    assert [error.code for _, error in errors] == ["not_found"]


def test_an_unexpected_error_is_reported_without_internals() -> None:
    router, errors, _ = _router()
    assert router(_event("boom")) == {"statusCode": 200}
    (_, error), = errors
    assert error.code == "internal_error" and "internal detail" not in error.message


def test_a_failing_connect_refuses_the_handshake() -> None:
    router = WebSocketRouter()

    @router.route("$connect")
    def connect(request: WsRequest) -> None:
        raise RuntimeError("table down")

    assert router(_event("$connect", "CONNECT", None))["statusCode"] == 500


def test_base64_bodies_are_decoded() -> None:
    event = _event("answer", body="eyJhIjogMX0=")
    event["isBase64Encoded"] = True
    assert WsRequest.from_event(event).body == '{"a": 1}'


def _verify(token: str) -> dict:
    if token != "good":
        raise InvalidToken("bad token")
    return {"sub": "p1", "username": "ann", "exp": 1_900_000_000, "token_use": "access"}


def test_the_authorizer_refuses_a_missing_or_bad_token_with_unauthorized() -> None:
    authorize = request_authorizer(lambda: _verify)
    for query in (None, {}, {"token": "bad"}):
        with pytest.raises(Exception, match="^Unauthorized$"):
            authorize({"type": "REQUEST", "methodArn": "arn", "queryStringParameters": query})


def test_the_authorizer_allows_a_good_token_and_passes_identity_and_expiry() -> None:
    authorize = request_authorizer(lambda: _verify)
    result = authorize({"type": "REQUEST", "methodArn": "arn:x",
                        "queryStringParameters": {"token": "good"}})
    assert result["principalId"] == "p1"
    assert result["policyDocument"]["Statement"][0] == {
        "Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:x"}
    assert result["context"] == {"player_id": "p1", "username": "ann",
                                 "token_expires_at": 1_900_000_000}
