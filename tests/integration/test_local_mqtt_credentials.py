"""Player credentials on a private Mosquitto with the local authorizer plugin (``trivia_auth.c``):
a token is accepted for its own username until it expires, and nothing else is; issuing asks
nothing of the broker, so issuing many at once confines each player to their own topics."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.local import mosquitto
from services.live import topics
from services.live.credentials import TokenCredentials, broker_token
from services.live.mqtt_client import MqttConnection, MqttRefused

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto.available(), reason=mosquitto.INSTALL_HINT),
]


def issuer_on(broker: mosquitto.MosquittoProcess, **options: Any) -> TokenCredentials:
    return TokenCredentials(broker.key, host="127.0.0.1", port=broker.port, ws_url=None,
                            **options)


def connect(broker: mosquitto.MosquittoProcess, username: str, password: str, *,
            client_id: str | None = None) -> MqttConnection:
    return MqttConnection(broker.address, client_id=client_id or username, username=username,
                          password=password).connect(5)


def assert_confined(connection: MqttConnection, me: str, other: str) -> None:
    assert connection.subscribe(topics.player_inbox(me)) == [True]
    assert connection.subscribe(topics.player_inbox(other)) == [False]
    assert connection.subscribe("trivia/live/#") == [False]
    assert connection.publish(topics.player_actions(me), b"{}")
    assert connection.publish(topics.player_actions(other), b"{}") is False
    assert connection.publish(topics.host_commands(other), b"{}") is False


def test_an_issued_token_logs_its_player_in_with_the_player_policy(
    broker: mosquitto.MosquittoProcess,
) -> None:
    issued = issuer_on(broker).issue("ada").body
    assert (issued["username"], issued["client_id"]) == ("ada", "ada")
    assert issued["topics"] == {"publish": list(topics.PlayerPolicy("ada").publish),
                                "subscribe": list(topics.PlayerPolicy("ada").subscribe)}
    ada = connect(broker, "ada", issued["password"])
    try:
        assert_confined(ada, "ada", "bob")
        assert ada.subscribe(topics.GAME_EVENTS_FILTER) == [True]
        assert ada.publish(topics.game_events("g1"), b"{}") is False
    finally:
        ada.close()


@pytest.mark.parametrize("forgery", ["expired", "other_key", "other_user", "tampered",
                                     "malformed", "empty"])
def test_a_token_that_is_not_this_players_unexpired_own_is_refused(
    broker: mosquitto.MosquittoProcess, forgery: str,
) -> None:
    now = int(time.time())
    good = broker_token(broker.key, "ada", now + 3600)
    password = {
        "expired": broker_token(broker.key, "ada", now - 1),
        "other_key": broker_token(b"k" * 32, "ada", now + 3600),
        "other_user": broker_token(broker.key, "bob", now + 3600),
        "tampered": good[:-1] + ("1" if good.endswith("0") else "0"),
        "malformed": f"v1.{now + 3600}.not-a-mac",
        "empty": "",
    }[forgery]
    with pytest.raises(MqttRefused):
        connect(broker, "ada", password)


def test_a_token_lasts_until_its_expiry_and_asking_again_gives_a_fresh_one(
    broker: mosquitto.MosquittoProcess,
) -> None:
    clock = [time.time()]
    issuer = issuer_on(broker, clock=lambda: clock[0], token_seconds=60)
    first = issuer.issue("eve").body["password"]
    clock[0] += 1
    second = issuer.issue("eve").body["password"]
    assert first != second
    for password in (first, second):  # both valid until they expire, as on AWS
        connect(broker, "eve", password).close()
    clock[0] -= 120  # issued two minutes ago: already expired
    with pytest.raises(MqttRefused):
        connect(broker, "eve", issuer.issue("eve").body["password"])


def test_the_service_user_has_every_right_under_any_client_id(
    broker: mosquitto.MosquittoProcess,
) -> None:
    service = connect(broker, broker.service_username, broker.service_password,
                      client_id="any-client-id")
    try:
        assert service.subscribe("trivia/live/#") == [True]
        assert service.publish(topics.game_events("g1"), b"{}")
    finally:
        service.close()


def test_many_players_issued_at_once_each_reach_only_their_topics(
    broker: mosquitto.MosquittoProcess,
) -> None:
    issuer = issuer_on(broker)
    names = [f"p{i}" for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        issued = dict(zip(names, pool.map(lambda name: issuer.issue(name).body, names),
                          strict=True))
    connections = [connect(broker, name, issued[name]["password"]) for name in names]
    try:
        for index, connection in enumerate(connections):
            assert_confined(connection, names[index], names[(index + 1) % len(names)])
    finally:
        for connection in connections:
            connection.close()


def test_a_player_subscribes_within_the_policy_filters_and_no_wider(
    broker: mosquitto.MosquittoProcess,
) -> None:
    ada = connect(broker, "ada", issuer_on(broker).issue("ada").body["password"])
    try:
        within = [topics.game_events("g1"), topics.GAME_EVENTS_FILTER, topics.player_inbox("ada")]
        wider = ["trivia/live/games/#", "trivia/live/games/+/+", "trivia/live/+/g1/events",
                 "trivia/live/players/+/inbox", "#", "$share/g/trivia/live/games/g1/events"]
        assert ada.subscribe(*within) == [True, True, True]
        assert ada.subscribe(*wider) == [False] * len(wider)
    finally:
        ada.close()
