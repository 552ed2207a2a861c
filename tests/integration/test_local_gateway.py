"""The local HTTP gateway: exact payload 2.0 events, routing, CORS, limits and response mapping.

Runs the tiny test template (tests/fixtures/local) whose handlers record what they get, so
these tests do not depend on the real handlers.
"""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from clients.sdk.endpoints import Endpoints
from infra.local.cloud import BackgroundCloud
from tests.fixtures.local import handlers
from tests.fixtures.local.support import Answer, call, running_cloud

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundCloud]:
    with running_cloud(tmp_path_factory.mktemp("gateway")) as running:
        yield running


@pytest.fixture()
def api(cloud: BackgroundCloud) -> str:
    handlers.reset()
    endpoints = cloud.cloud.endpoints
    assert isinstance(endpoints, Endpoints)
    return endpoints.http_api_url


def _only_call(handler: str) -> dict[str, Any]:
    calls = handlers.calls(handler)
    assert len(calls) == 1, calls
    return calls[0]


def test_a_public_route_gets_the_exact_payload_2_event(api: str) -> None:
    port = int(api.rsplit(":", 1)[1])

    answer = call(
        api,
        "POST",
        "/public/echo?b=2&a=1&a=&c=x%20y",
        body='{"hello":"wörld"}',
        headers=[
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-Repeated", "one"),
            ("X-Repeated", "two"),
            ("Cookie", "theme=dark; session=abc"),
            ("User-Agent", "tests/1.0"),
        ],
    )

    assert answer.status == 200
    event = _only_call("echo")["event"]
    assert answer.json() == event
    context = event["requestContext"]
    assert event == {
        "version": "2.0",
        "routeKey": "POST /public/echo",
        "rawPath": "/public/echo",
        "rawQueryString": "b=2&a=1&a=&c=x%20y",
        "cookies": ["theme=dark", "session=abc"],
        "headers": {
            "host": f"127.0.0.1:{port}",
            "content-type": "application/json; charset=utf-8",
            "x-repeated": "one,two",
            "user-agent": "tests/1.0",
            "content-length": str(len('{"hello":"wörld"}'.encode())),
            "x-forwarded-for": "127.0.0.1",
            "x-forwarded-port": str(port),
            "x-forwarded-proto": "http",
            "x-amzn-trace-id": event["headers"]["x-amzn-trace-id"],
        },
        "queryStringParameters": {"b": "2", "a": "1,", "c": "x y"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": context["apiId"],
            "domainName": f"127.0.0.1:{port}",
            "domainPrefix": "127",
            "http": {
                "method": "POST",
                "path": "/public/echo",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "tests/1.0",
            },
            "requestId": answer.headers["apigw-requestid"],
            "routeKey": "POST /public/echo",
            "stage": "$default",
            "time": context["time"],
            "timeEpoch": context["timeEpoch"],
        },
        "body": '{"hello":"wörld"}',
        "isBase64Encoded": False,
        "stageVariables": None,
    }
    assert len(context["apiId"]) == 10 and context["apiId"].isalnum()
    assert event["headers"]["x-amzn-trace-id"].startswith("Root=1-")
    assert isinstance(context["timeEpoch"], int)
    assert context["time"].endswith(" +0000") and "/" in context["time"]


def test_empty_parts_are_left_out_as_aws_does(api: str) -> None:
    answer = call(api, "GET", "/items/special")

    event = answer.json()
    assert answer.status == 200 and event["routeKey"] == "GET /items/special"
    for absent in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert absent not in event
    assert "authorizer" not in event["requestContext"]  # a public route
    assert event["rawQueryString"] == "" and event["isBase64Encoded"] is False


def test_a_binary_body_arrives_base64_encoded(api: str) -> None:
    payload = bytes(range(256))

    event = call(
        api,
        "POST",
        "/public/echo",
        body=payload,
        headers={"Content-Type": "application/octet-stream"},
    ).json()

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


@pytest.mark.parametrize(
    ("method", "path", "route_key", "parameters"),
    [
        ("GET", "/items/special", "GET /items/special", None),  # a literal beats {item_id}
        ("GET", "/items/a%20b", "GET /items/{item_id}", {"item_id": "a b"}),
        ("GET", "/files/a/b/c.txt", "GET /files/{proxy+}", {"proxy": "a/b/c.txt"}),
        ("PUT", "/anything", "ANY /anything", None),
        ("DELETE", "/anything", "ANY /anything", None),
    ],
)
def test_routes_match_as_on_aws(
    api: str, method: str, path: str, route_key: str, parameters: dict[str, str] | None
) -> None:
    answer = call(api, method, path)

    event = answer.json()
    assert answer.status == 200
    assert event["routeKey"] == route_key
    assert event["rawPath"] == path
    assert event.get("pathParameters") == parameters


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nowhere"),
        ("DELETE", "/public/echo"),
        ("GET", "/files/"),
        ("GET", "/items/a/b"),
        ("GET", "/public/echo/"),
        ("GET", "/nowhere/%0A"),
        ("POST", "/items/%C3%80%0Ax/deactivate"),
    ],
)
def test_unknown_routes_are_404_and_run_nothing(api: str, method: str, path: str) -> None:
    answer = call(api, method, path)

    assert answer.status == 404
    body = answer.json()
    assert body["message"] == "Not Found"
    assert body["error"]["code"] == "route_not_found"
    assert handlers.calls() == []


def test_preflight_is_answered_by_the_gateway(api: str) -> None:
    answer = call(
        api,
        "OPTIONS",
        "/echo/ada",
        headers={
            "Origin": "https://play.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )

    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == "https://play.example"
    assert answer.headers["access-control-allow-methods"] == "GET,POST"
    assert answer.headers["access-control-allow-headers"] == "authorization,content-type"
    assert answer.headers["access-control-max-age"] == "300"
    assert handlers.calls() == []  # and no authorizer either: no token was needed


def test_cors_headers_only_for_allowed_origins(api: str) -> None:
    allowed = call(api, "GET", "/items/x", headers={"Origin": "https://play.example"})
    other = call(api, "GET", "/items/x", headers={"Origin": "https://evil.example"})
    refused = call(
        api,
        "OPTIONS",
        "/items/x",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )

    assert allowed.headers["access-control-allow-origin"] == "https://play.example"
    assert allowed.headers["access-control-expose-headers"] == "x-echo"
    assert "access-control-allow-origin" not in other.headers
    assert refused.status == 204 and "access-control-allow-origin" not in refused.headers


def _respond(api: str, instruction: dict[str, Any]) -> Answer:
    return call(
        api,
        "POST",
        "/respond",
        body=json.dumps(instruction),
        headers={"Content-Type": "application/json"},
    )


def test_an_explicit_response_is_mapped_with_headers_and_cookies(api: str) -> None:
    answer = _respond(
        api,
        {
            "return": {
                "statusCode": 201,
                "headers": {
                    "Content-Type": "text/plain",
                    "X-Echo": "yes",
                    "Access-Control-Allow-Origin": "https://ignored.example",
                },
                "cookies": ["a=1; Path=/", "b=2"],
                "body": "created",
            }
        },
    )

    assert answer.status == 201
    assert answer.body == b"created"
    assert answer.headers["content-type"] == "text/plain"
    assert answer.headers["x-echo"] == "yes"
    assert answer.headers.get_all("set-cookie") == ["a=1; Path=/", "b=2"]
    # With CORS configured, API Gateway ignores the handler's own CORS headers.
    assert "access-control-allow-origin" not in answer.headers


def test_a_base64_response_body_is_decoded(api: str) -> None:
    payload = bytes(range(256))
    answer = _respond(
        api,
        {
            "return": {
                "statusCode": 200,
                "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(payload).decode(),
                "isBase64Encoded": True,
            }
        },
    )

    assert answer.status == 200 and answer.body == payload


@pytest.mark.parametrize(
    "result",
    [{"quiz": "answer", "statusless": True}, ["a", 1], "plain text", 42, None],
)
def test_a_result_without_status_code_becomes_200_json(api: str, result: Any) -> None:
    answer = _respond(api, {"return": result})

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert json.loads(answer.body) == result


@pytest.mark.parametrize(
    "instruction",
    [
        {"raise": "boom"},
        {"return": {"statusCode": "200", "body": "x"}},
        {"return": {"statusCode": 200, "body": {"not": "a string"}}},
        {"return": {"statusCode": 200, "body": "!!", "isBase64Encoded": True}},
        {"sleep": 1.7},  # past the function's 1 s Timeout
    ],
    ids=["raises", "string-status", "dict-body", "bad-base64", "timeout"],
)
def test_handler_failures_are_500_without_internals(api: str, instruction: dict[str, Any]) -> None:
    answer = _respond(api, instruction)

    assert answer.status == 500
    assert answer.json() == {"message": "Internal Server Error"}
    assert len(handlers.calls("respond")) == 1


def test_a_body_over_10_mb_is_413_before_anything_runs(api: str) -> None:
    host, port = api.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("POST", "/public/echo")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
        connection.endheaders()  # the gateway answers from the headers alone
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()

    assert response.status == 413
    assert body["message"] == "Request Entity Too Large"
    assert body["error"]["code"] == "payload_too_large"
    assert handlers.calls() == []


def test_handlers_get_a_lambda_context_from_the_template(api: str) -> None:
    call(api, "GET", "/items/1")
    _respond(api, {"return": "ok"})

    echo = _only_call("echo")["context"]
    respond = _only_call("respond")["context"]
    assert echo["function_name"] == "trivia-EchoFunction"
    assert echo["function_version"] == "$LATEST"
    assert echo["invoked_function_arn"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:trivia-EchoFunction"
    )
    assert echo["memory_limit_in_mb"] == 256  # Globals
    assert respond["memory_limit_in_mb"] == 1024  # the function's own MemorySize
    assert 2000 < echo["remaining_ms"] <= 3000  # Globals Timeout: 3
    assert 0 < respond["remaining_ms"] <= 1000  # Timeout: 1
    assert echo["log_group_name"] == "/aws/lambda/trivia-EchoFunction"
    assert "[$LATEST]" in echo["log_stream_name"]
    assert echo["aws_request_id"] != respond["aws_request_id"]


def test_handlers_stay_warm(cloud: BackgroundCloud, api: str) -> None:
    runtime = cloud.cloud.runtime
    assert runtime is not None
    call(api, "GET", "/items/1")
    first = runtime.handler("EchoFunction")
    call(api, "GET", "/items/2")

    assert runtime.handler("EchoFunction") is first is handlers.echo
    streams = {c["context"]["log_stream_name"] for c in handlers.calls("echo")}
    assert len(streams) == 1  # one warm container


def test_the_handler_environment_is_resolved_from_globals(cloud: BackgroundCloud) -> None:
    import os

    resources = cloud.cloud.resources
    assert resources is not None
    assert os.environ["ECHO_TABLE"] == "trivia-EchoTable"
    assert os.environ["ECHO_TABLE_ARN"].endswith(":table/trivia-EchoTable")
    assert os.environ["EVENTS_TOPIC_ARN"].endswith(":test-events")
    assert os.environ["STACK"] == "trivia-us-east-1-123456789012"
    assert os.environ["USER_POOL_CLIENT_ID"] == resources.user_pool_client_id


def test_the_gateways_own_echo_route_answers_without_a_handler(api: str) -> None:
    # trivia bench's HTTP floor: the same server and loop as every route, no handler work.
    body = '{"answers":{"q1":"Mars"}}'

    answer = call(api, "POST", "/_local/echo", body=body)

    assert answer.status == 200
    assert answer.body == body.encode()
    assert handlers.calls() == []
    assert call(api, "GET", "/_local/echo").status == 404  # no such route for GET
