"""The HTTP glue: route dispatch, body parsing limits and the one error shape."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from services.core.errors import NotFound
from services.core.http import MAX_BODY_BYTES, HttpRouter, Request, Response

pytestmark = pytest.mark.unit


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


router = HttpRouter()


@router.route("POST /greetings")
def greet(request: Request) -> Response:
    body = request.json(Greeting)
    return Response(201, {"hello": body.name, "by": request.identity.username})


@router.route("GET /things/{thing_id}")
def thing(request: Request) -> dict[str, str]:
    thing_id = request.path_param("thing_id")
    if thing_id == "missing":
        raise NotFound("no such thing")
    return {"thing_id": thing_id}


@router.route("GET /boom")
def boom(request: Request) -> None:
    raise RuntimeError("secret internals")


def _event(
    route_key: str,
    *,
    body: str | None = None,
    path: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "pathParameters": path or {},
        "requestContext": {"requestId": "r-1", "authorizer": {"jwt": {"claims": claims or {}}}},
        "isBase64Encoded": base64_body,
    }
    if body is not None:
        event["body"] = base64.b64encode(body.encode()).decode() if base64_body else body
    return event


CLAIMS = {"sub": "p-1", "username": "ada"}


def _call(event: dict[str, Any]) -> tuple[int, Any]:
    response = router(event, None)
    return response["statusCode"], json.loads(response["body"]) if "body" in response else None


def test_a_route_returns_its_response() -> None:
    status, body = _call(_event("POST /greetings", body='{"name": "Bo"}', claims=CLAIMS))
    assert (status, body) == (201, {"hello": "Bo", "by": "ada"})


def test_a_base64_body_is_decoded() -> None:
    status, body = _call(
        _event("POST /greetings", body='{"name": "Bo"}', claims=CLAIMS, base64_body=True)
    )
    assert status == 201 and body["hello"] == "Bo"


def test_a_plain_return_value_is_a_200_json_body() -> None:
    assert _call(_event("GET /things/{thing_id}", path={"thing_id": "t-1"})) == (
        200,
        {"thing_id": "t-1"},
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "malformed_json"),
        ("", 400, "malformed_json"),
        ("[1, 2]", 400, "validation_failed"),
        ('{"name": 3}', 400, "validation_failed"),
        ('{"name": "Bo", "is_admin": true}', 400, "validation_failed"),
        ("{}", 400, "validation_failed"),
        pytest.param("[" * 30_000, 400, "malformed_json", id="deeply-nested-arrays"),
        pytest.param('{"a":' * 10_000 + "1" + "}" * 10_000, 400, "malformed_json",
                     id="deeply-nested-objects"),
        ('{"name": "' + "x" * MAX_BODY_BYTES + '"}', 413, "payload_too_large"),
    ],
)
def test_bad_bodies_get_the_error_shape(body: str, status: int, code: str) -> None:
    got_status, got = _call(_event("POST /greetings", body=body, claims=CLAIMS))
    assert got_status == status
    assert got["error"]["code"] == code
    assert got["error"]["message"]


def test_missing_claims_are_401() -> None:
    status, body = _call(_event("POST /greetings", body='{"name": "Bo"}'))
    assert status == 401 and body["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("bad_id", ["", "a/b", "x" * 65, "ü", "a b", "..%2f"])
def test_bad_ids_are_400(bad_id: str) -> None:
    status, body = _call(_event("GET /things/{thing_id}", path={"thing_id": bad_id}))
    assert status == 400 and body["error"]["code"] == "validation_failed"


def test_domain_errors_keep_their_status() -> None:
    status, body = _call(_event("GET /things/{thing_id}", path={"thing_id": "missing"}))
    assert status == 404 and body["error"] == {"code": "not_found", "message": "no such thing"}


def test_unknown_route_is_404() -> None:
    status, body = _call(_event("DELETE /nowhere"))
    assert status == 404 and body["error"]["code"] == "route_not_found"


def test_unexpected_errors_are_500_without_internals() -> None:
    status, body = _call(_event("GET /boom"))
    assert status == 500
    assert "secret" not in json.dumps(body)


def test_a_route_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError):
        router.route("GET /boom")(boom)
