"""The service's own broker connection (``services.live.mqtt_client``) across a broker restart.

A restart drops the session and its subscriptions; awscrt reconnects by itself, and the
connection must subscribe again, or the rules runner would stay connected and never hear another
message.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from services.live.mqtt_client import BrokerAddress, MqttConnection, OnMessage
from tests.integration.test_mqtt_client_support import WAIT, Broker, needs_mosquitto, running_broker

pytestmark = [pytest.mark.integration, needs_mosquitto]

PLAYER, SERVICE = "p1", "svc"
PASSWORDS = {PLAYER: "player-secret", SERVICE: "service-secret"}
ACTIONS = "trivia/live/players/p1/actions"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    yield from running_broker(tmp_path, PASSWORDS, services=(SERVICE,))


def _connection(broker: Broker, user: str, on_message: OnMessage | None = None) -> MqttConnection:
    return MqttConnection(BrokerAddress("127.0.0.1", broker.port), client_id=user,
                          username=user, password=PASSWORDS[user], on_message=on_message)


def _until(condition: Callable[[], bool], seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_after_a_broker_restart_the_service_connection_subscribes_again(broker: Broker) -> None:
    heard: queue.Queue[str] = queue.Queue()
    service = _connection(broker, SERVICE, on_message=lambda topic, _p, _r: heard.put(topic))
    service.connect()
    player = _connection(broker, PLAYER).connect()
    try:
        assert service.subscribe("trivia/live/players/+/actions") == [True]
        assert player.publish(ACTIONS, b'{"action":"join_game"}')
        assert heard.get(timeout=WAIT) == ACTIONS

        broker.stop()  # the sessions and their subscriptions go with it
        broker.start()
        _until(lambda: service.reconnects == 1 and not service.disconnected.is_set())
        _until(lambda: not player.disconnected.is_set())
        # The resubscription is asynchronous: publish until the service hears one.
        deadline = time.monotonic() + WAIT
        while True:
            assert player.publish(ACTIONS, b'{"action":"answer"}')
            try:
                assert heard.get(timeout=0.2) == ACTIONS
                break
            except queue.Empty:
                assert time.monotonic() < deadline, "no message after the reconnect"
    finally:
        player.close()
        service.close()
