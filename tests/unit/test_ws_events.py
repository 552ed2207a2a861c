"""The local WebSocket gateway's pure parts: route selection and the authorizer's decision."""

from __future__ import annotations

import json

import pytest

from infra.local import ws_events
from infra.local.ws_gateway import _route_key

pytestmark = pytest.mark.unit

INFO = ws_events.ConnectionInfo(
    connection_id="abc=", api_id="localwsapi", account_id="123456789012", region="us-east-1",
    stage="live", domain_name="127.0.0.1:1", source_ip="127.0.0.1", user_agent="test",
)


@pytest.mark.parametrize(("frame", "route"), [
    (json.dumps({"action": "answer"}), "answer"),
    (json.dumps({"action": "$connect"}), "$default"),  # special routes are never selected
    (json.dumps({"action": 3}), "$default"),
    (json.dumps(["answer"]), "$default"),
    ("not json", "$default"),
    (b'{"action": "answer"}', "$default"),  # binary frames
])
def test_the_route_is_the_bodys_action(frame: str | bytes, route: str) -> None:
    assert _route_key(frame) == route


def _policy(effect: str, action: object = "execute-api:Invoke") -> dict:
    return {"principalId": "p1", "context": {"player_id": "p1"}, "policyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action,
                                                "Resource": "*"}]}}


def test_an_allow_policy_passes_its_context_and_principal() -> None:
    assert ws_events.authorizer_context(_policy("Allow")) == {"player_id": "p1",
                                                              "principalId": "p1"}


@pytest.mark.parametrize("result", [
    _policy("Deny"), _policy("Allow", "s3:GetObject"), {"principalId": "p1"}, None, "Allow",
    {**_policy("Allow"), "policyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke"},
        {"Effect": "Deny", "Action": "execute-api:Invoke"}]}},
])
def test_anything_but_an_allow_of_invoke_denies(result: object) -> None:
    assert ws_events.authorizer_context(result) is None


def test_events_carry_api_gateways_fields() -> None:
    request = ws_events.authorizer_event(INFO, [("Host", "x")], "token=t&x=1&x=2")
    assert request["type"] == "REQUEST"
    assert request["methodArn"] == (
        "arn:aws:execute-api:us-east-1:123456789012:localwsapi/live/$connect")
    assert request["queryStringParameters"] == {"token": "t", "x": "2"}
    assert request["multiValueQueryStringParameters"]["x"] == ["1", "2"]
    message = ws_events.message_event(INFO, "answer", '{"a":1}', {"player_id": "p1"})
    context = message["requestContext"]
    assert (context["eventType"], context["routeKey"], context["connectionId"]) == (
        "MESSAGE", "answer", "abc=")
    assert context["authorizer"] == {"player_id": "p1"} and message["body"] == '{"a":1}'
    binary = ws_events.message_event(INFO, "$default", b"\x00\x01", None)
    assert binary["isBase64Encoded"] is True and binary["body"] == "AAE="
    gone = ws_events.disconnect_event(INFO, None, 1006, "")
    assert gone["requestContext"]["disconnectStatusCode"] == 1006
    assert len(ws_events.new_connection_id()) == 16
