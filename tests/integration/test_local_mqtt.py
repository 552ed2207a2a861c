"""QUALITY.md's MQTT cases against a private Mosquitto with the local authorizer plugin, using
credentials issued by the ``POST /live/credentials`` adapter (``TokenCredentials``)."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from infra.local import mosquitto
from services.live import topics
from services.live.credentials import TokenCredentials
from services.live.mqtt_client import MqttConnection, MqttRefused

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto.available(), reason=mosquitto.INSTALL_HINT),
]


@pytest.fixture(scope="module")
def issuer(broker: mosquitto.MosquittoProcess) -> TokenCredentials:
    return TokenCredentials(broker.key, host="127.0.0.1", port=broker.port, ws_url=broker.ws_url)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, topic: str, payload: bytes, _retain: bool) -> None:
        with self.lock:
            self.messages.append((topic, payload))

    def wait_for(self, count: int, timeout: float = 3.0) -> list[tuple[str, bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.01)
        return list(self.messages)


def player(broker: mosquitto.MosquittoProcess, issuer: TokenCredentials, player_id: str,
           inbox: Inbox | None = None, *, websocket: bool = False) -> MqttConnection:
    credentials = issuer.issue(player_id).body
    address = broker.ws_address if websocket else broker.address
    return MqttConnection(address, client_id=credentials["client_id"],
                          username=credentials["username"], password=credentials["password"],
                          on_message=inbox).connect()


def service(broker: mosquitto.MosquittoProcess, inbox: Inbox | None = None) -> MqttConnection:
    return MqttConnection(broker.address, client_id=f"svc-{time.monotonic_ns()}",
                          username="service", password=broker.service_password,
                          on_message=inbox).connect()


def test_a_player_connects_over_tcp_and_websockets_and_reaches_only_their_topics(
    broker: mosquitto.MosquittoProcess, issuer: TokenCredentials,
) -> None:
    inbox, rules = Inbox(), Inbox()
    runner = service(broker, rules)
    assert runner.subscribe(topics.PLAYER_ACTIONS_FILTER) == [True]
    alice = player(broker, issuer, "alice-ws", inbox, websocket=True)
    try:
        assert alice.subscribe(topics.player_inbox("alice-ws"), topics.GAME_EVENTS_FILTER) == [
            True, True]
        assert alice.publish(topics.player_actions("alice-ws"), b'{"action":"x"}')
        assert runner.publish(topics.player_inbox("alice-ws"), b"hello")
        assert runner.publish(topics.game_events("g1"), b"news")
        assert sorted(inbox.wait_for(2)) == [
            (topics.game_events("g1"), b"news"), (topics.player_inbox("alice-ws"), b"hello")]
        assert rules.wait_for(1) == [(topics.player_actions("alice-ws"), b'{"action":"x"}')]
    finally:
        alice.close()
        runner.close()


@pytest.mark.parametrize("client_id", ["bob", "+", "#", "alice/#", ""])
def test_connecting_with_another_identity_or_a_wildcard_client_id_is_refused(
    broker: mosquitto.MosquittoProcess, issuer: TokenCredentials, client_id: str,
) -> None:
    issuer.issue("bob")
    alice = issuer.issue("alice").body
    with pytest.raises(MqttRefused):
        MqttConnection(broker.address, client_id=client_id, username="alice",
                       password=alice["password"]).connect(3)


def test_another_players_name_without_their_password_is_refused(
    broker: mosquitto.MosquittoProcess, issuer: TokenCredentials,
) -> None:
    alice = issuer.issue("alice").body
    bob = issuer.issue("bob").body
    with pytest.raises(MqttRefused):
        MqttConnection(broker.address, client_id="bob", username="bob",
                       password=alice["password"]).connect(3)
    assert bob["password"] != alice["password"]


def test_subscribing_to_another_inbox_or_everything_is_refused_and_nothing_foreign_arrives(
    broker: mosquitto.MosquittoProcess, issuer: TokenCredentials,
) -> None:
    inbox = Inbox()
    alice = player(broker, issuer, "alice", inbox)
    sender = service(broker)
    try:
        refused = alice.subscribe(topics.player_inbox("bob"), "#", "trivia/live/#",
                                  "trivia/live/players/+/inbox", topics.host_commands("bob"))
        assert refused == [False] * 5
        for topic in (topics.player_inbox("bob"), topics.host_commands("bob"),
                      topics.player_actions("bob")):
            assert sender.publish(topic, b"secret")
        assert sender.publish(topics.player_inbox("alice"), b"mine")
        assert inbox.wait_for(1, timeout=0.5) == []  # not even her own: she never subscribed to it
    finally:
        alice.close()
        sender.close()


def test_a_player_publishing_to_host_or_broadcast_topics_is_refused_and_nothing_delivered(
    broker: mosquitto.MosquittoProcess, issuer: TokenCredentials,
) -> None:
    seen = Inbox()
    watcher = service(broker, seen)
    assert watcher.subscribe("trivia/live/#") == [True]
    mallory = player(broker, issuer, "mallory")
    try:
        for topic in (topics.host_commands("bob"), topics.game_events("g1"),
                      topics.player_inbox("bob"), topics.player_actions("bob"), "other/topic"):
            assert mallory.publish(topic, b'{"action":"end_game","game_id":"g1"}') is False
        assert seen.wait_for(1, timeout=0.5) == []
    finally:
        mallory.close()
        watcher.close()


@pytest.mark.parametrize("target", ["broadcast", "host", "own_actions"])
def test_a_retained_publish_is_refused_nothing_delivered_or_retained(
    broker: mosquitto.MosquittoProcess, issuer: TokenCredentials, target: str,
) -> None:
    credentials = issuer.issue("rita").body
    topic = {"broadcast": topics.game_events("g1"), "host": topics.host_commands("bob"),
             "own_actions": topics.player_actions("rita")}[target]
    seen = Inbox()
    watcher = service(broker, seen)
    assert watcher.subscribe("trivia/live/#") == [True]
    closed = raw_publish(broker.port, "rita", credentials["password"], topic, b"kept?",
                         retain=True)
    assert closed, "the broker must drop a client that publishes with RETAIN"
    assert seen.wait_for(1, timeout=0.5) == []
    late = Inbox()
    latecomer = service(broker, late)  # a retained message would arrive on subscribe
    assert latecomer.subscribe(topic) == [True]
    assert late.wait_for(1, timeout=0.5) == []
    watcher.close()
    latecomer.close()


def raw_publish(port: int, user: str, password: str, topic: str, payload: bytes, *,
                retain: bool) -> bool:
    """MQTT 3.1.1 by hand (a client library would refuse RETAIN itself): CONNECT, PUBLISH QoS 0;
    True when the broker then closes the connection."""

    def text(value: str) -> bytes:
        return struct.pack("!H", len(value.encode())) + value.encode()

    def packet(kind: int, body: bytes) -> bytes:
        length, encoded = len(body), b""
        while True:
            byte, length = length % 128, length // 128
            encoded += bytes([byte | (0x80 if length else 0)])
            if not length:
                return bytes([kind]) + encoded + body

    connect = text("MQTT") + bytes([4, 0xC2]) + struct.pack("!H", 30) + text(user) + text(
        user) + text(password)
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.sendall(packet(0x10, connect))
        connack = sock.recv(4)
        assert connack[:2] == b"\x20\x02" and connack[3] == 0, connack
        sock.sendall(packet(0x30 | (1 if retain else 0), text(topic) + payload))
        sock.settimeout(2)
        try:
            return sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
