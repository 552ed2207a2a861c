"""The MQTT SDK's pure parts: messages, broadcast seq tracking, topics, credentials."""

from __future__ import annotations

import pytest

from clients.sdk import mqtt_topics as topics
from clients.sdk.endpoints import Endpoints
from clients.sdk.mqtt_credentials import (
    AuthorizerLogin,
    BrokerLogin,
    InvalidCredentials,
    MqttCredentials,
)
from clients.sdk.mqtt_errors import InvalidMessage, LiveError
from clients.sdk.mqtt_messages import BroadcastSeqs, LiveMessage

pytestmark = pytest.mark.unit

EVENTS = "trivia/live/games/g1/events"
INBOX = "trivia/live/players/p1/inbox"
ENDPOINTS = Endpoints(
    http_api_url="http://127.0.0.1:1",
    region="us-east-1",
    user_pool_id="pool",
    user_pool_client_id="client",
    mqtt_host="127.0.0.1",
    mqtt_port=1884,
)


def test_a_broadcast_parses_with_its_game_and_seq() -> None:
    message = LiveMessage.parse(EVENTS, b'{"type":"winner","game_id":"g1","seq":4}', 1.5)
    assert (message.type, message.game_id, message.seq, message.received_at) == (
        "winner",
        "g1",
        4,
        1.5,
    )
    assert message.is_broadcast and not message.is_error
    assert message["seq"] == 4 and message.get("missing", "x") == "x"


@pytest.mark.parametrize("payload", [b"not json", b"[]", b'{"game_id":"g1"}', b"\xff"])
def test_a_payload_that_is_not_a_message_is_refused(payload: bytes) -> None:
    with pytest.raises(InvalidMessage):
        LiveMessage.parse(EVENTS, payload)


def test_an_error_message_becomes_a_live_error_with_the_service_code() -> None:
    body = b'{"type":"error","request_id":"m1","error":{"code":"service_unavailable",'
    body += b'"message":"later","retryable":true}}'
    error = LiveMessage.parse(INBOX, body).error()
    assert isinstance(error, LiveError)
    assert (error.code, error.retryable, error.request_id) == ("service_unavailable", True, "m1")
    with pytest.raises(ValueError):
        LiveMessage.parse(INBOX, b'{"type":"verdict"}').error()


def test_stale_and_duplicate_broadcasts_are_refused_per_game() -> None:
    seqs = BroadcastSeqs()

    def seen(topic: str, game: str, seq: int) -> bool:
        return seqs.accept(LiveMessage.from_body(topic, {"type": "x", "game_id": game, "seq": seq}))

    assert seen(EVENTS, "g1", 1) and seen(EVENTS, "g1", 3)
    assert not seen(EVENTS, "g1", 3)  # a duplicate
    assert not seen(EVENTS, "g1", 2)  # overtaken
    assert seen("trivia/live/games/g2/events", "g2", 1)  # another game counts on its own
    assert seen(INBOX, "g1", 1)  # inbox messages are never stale
    assert seqs.last("g1") == 3
    seqs.forget("g1")
    assert seen(EVENTS, "g1", 1)


def test_topics_follow_the_documented_layout() -> None:
    assert topics.host_commands("p1") == "trivia/live/hosts/p1/commands"
    assert topics.player_actions("p1") == "trivia/live/players/p1/actions"
    assert topics.player_inbox("p1") == INBOX
    assert topics.game_events("g1") == EVENTS
    assert topics.game_of(EVENTS) == "g1"
    assert topics.game_of(INBOX) is None
    assert topics.game_of("trivia/live/games//events") is None


def test_local_credentials_use_the_password_and_the_endpoints_broker() -> None:
    answer = {"broker": "mosquitto", "client_id": "p1", "username": "p1", "password": "s3cret"}
    credentials = MqttCredentials.from_api(answer, ENDPOINTS)
    assert credentials.client_id == "p1"
    assert credentials.login == BrokerLogin("127.0.0.1", 1884, "p1", "s3cret")
    assert "s3cret" not in repr(credentials)
    elsewhere = {**answer, "host": "10.0.0.5", "port": 1999}
    assert MqttCredentials.from_api(elsewhere, ENDPOINTS).login == BrokerLogin(
        "10.0.0.5", 1999, "p1", "s3cret"
    )


def test_aws_credentials_present_the_access_token_to_the_authorizer() -> None:
    answer = {
        "broker": "aws-iot",
        "host": "abc-ats.iot.us-east-1.amazonaws.com",
        "port": 443,
        "client_id": "p1",
        "username": "p1?x-amz-customauthorizer-name=TriviaAuthorizer",
        "password": None,
        "password_from": "access_token",
        "authorizer_name": "TriviaAuthorizer",
    }
    credentials = MqttCredentials.from_api(answer, ENDPOINTS, access_token="jwt")
    assert credentials.login == AuthorizerLogin(
        "abc-ats.iot.us-east-1.amazonaws.com", "TriviaAuthorizer", "jwt", 443
    )
    assert "jwt" not in repr(credentials)


@pytest.mark.parametrize(
    "answer",
    [
        {"password": "x"},  # no client id
        {"client_id": "p1"},  # no password, no authorizer
        {"client_id": "p1", "broker": "aws-iot", "host": "e"},  # no authorizer
        {"client_id": "p1", "broker": "aws-iot", "host": "e", "authorizer_name": "a"},  # no token
    ],
)
def test_incomplete_credentials_are_refused(answer: dict[str, str]) -> None:
    with pytest.raises(InvalidCredentials):
        MqttCredentials.from_api(answer, ENDPOINTS)
