"""The local cloud's IoT stand-ins on a private Mosquitto: boto3's unchanged ``iot-data``
client publishing through the local endpoint, and the rules runner turning messages on the
template's rule topics into the events the rules' SQL produces."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local import mosquitto
from infra.local.iot_data import InProcessPublisher, IotDataEndpoint
from infra.local.iot_rules import RulesRunner, compile_rule
from infra.wiring import IotRule, load_template
from services.core import in_process
from services.live import topics
from services.live.credentials import TokenCredentials
from services.live.mqtt_client import MqttConnection
from services.live.ports import MessageSink

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto.available(), reason=mosquitto.INSTALL_HINT),
]


class Runtime:
    """Records invocations as the Lambda runtime would receive them."""

    def __init__(self, fail_first: int = 0) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_first = fail_first
        self.lock = threading.Lock()

    def invoke(self, logical_id: str, event: dict[str, Any]) -> None:
        with self.lock:
            if self.fail_first:
                self.fail_first -= 1
                raise RuntimeError("cold start failed")
            self.calls.append((logical_id, event))


def player(broker: mosquitto.MosquittoProcess, player_id: str, inbox: list | None = None
           ) -> MqttConnection:
    issued = TokenCredentials(broker.key, host="127.0.0.1", port=broker.port,
                              ws_url=None).issue(player_id).body
    on_message = (lambda t, p, r: inbox.append((t, p))) if inbox is not None else None
    return MqttConnection(broker.address, client_id=player_id, username=player_id,
                          password=issued["password"], on_message=on_message).connect()


def test_the_rules_runner_invokes_each_rules_function_with_the_sql_event(
    broker: mosquitto.MosquittoProcess,
) -> None:
    runtime = Runtime(fail_first=1)  # the first invocation fails once and is retried
    runner = RulesRunner(load_template().iot_rules, runtime, broker.address,  # type: ignore
                         username="service", password=broker.service_password)
    runner.start()
    alice = player(broker, "alice")
    try:
        raw = b'{"action":"join_game","game_id":"g1","player_id":"mallory"}'
        assert alice.publish(topics.player_actions("alice"), raw)
        assert alice.publish(topics.host_commands("alice"), b"not json at all")
        deadline = time.monotonic() + 5
        while len(runtime.calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner.drain()
        by_function = dict(runtime.calls)
        assert by_function["LivePlayerActionsFunction"] == {
            "payload": base64.b64encode(raw).decode(), "sender": "alice",
            "topic": "trivia/live/players/alice/actions"}
        command = by_function["LiveHostCommandsFunction"]
        assert base64.b64decode(command["payload"]) == b"not json at all"
        assert command["sender"] == "alice"
    finally:
        alice.close()
        runner.stop()


def test_select_star_and_topic_segments() -> None:
    rule = compile_rule(IotRule("R", "SELECT *, topic(4) AS player_id, topic() AS t FROM "
                                     "'a/b/c/+/d'", "a/b/c/+/d", "F"))
    assert rule.event("a/b/c/p9/d", b'{"x": 1, "player_id": "forged"}') == {
        "x": 1, "player_id": "p9", "t": "a/b/c/p9/d"}
    assert rule.event("a/b/c/p9/d", b"[1, 2]") is None
    with pytest.raises(ValueError):
        compile_rule(IotRule("R", "SELECT upper(x) FROM 'a'", "a", "F"))


def test_boto3_iot_data_publishes_through_the_local_endpoint(
    broker: mosquitto.MosquittoProcess,
) -> None:
    endpoint = IotDataEndpoint(broker.address, username="service",
                               password=broker.service_password)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    received: list[tuple[str, bytes]] = []
    bob = player(broker, "bob", received)
    try:
        asyncio.run_coroutine_threadsafe(endpoint.start(), loop).result(10)
        assert bob.subscribe(topics.player_inbox("bob"), topics.GAME_EVENTS_FILTER) == [True] * 2
        client = boto3.client("iot-data", region_name="us-east-1", endpoint_url=endpoint.url,
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        client.publish(topic=topics.player_inbox("bob"), qos=1, payload=b'{"type":"x"}')
        client.publish(topic=topics.game_events("g-1"), qos=1, payload=b"{}")
        with pytest.raises(ClientError):
            client.publish(topic=topics.game_events("g-1"), qos=1, retain=True, payload=b"{}")
        deadline = time.monotonic() + 3
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sorted(received) == [(topics.game_events("g-1"), b"{}"),
                                    (topics.player_inbox("bob"), b'{"type":"x"}')]
    finally:
        bob.close()
        asyncio.run_coroutine_threadsafe(endpoint.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture(scope="module")
def iot_data_url(broker: mosquitto.MosquittoProcess) -> Iterator[str]:
    endpoint = IotDataEndpoint(broker.address, username="service",
                               password=broker.service_password)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(endpoint.start(), loop).result(10)
    try:
        yield endpoint.url
    finally:
        asyncio.run_coroutine_threadsafe(endpoint.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.mark.parametrize("kind", ["fake", "iot-data", "in-process"])
def test_message_sink_contract(kind: str, broker: mosquitto.MosquittoProcess,
                               iot_data_url: str) -> None:
    """The recording fake, the iot-data adapter and the in-process publisher registered under
    the endpoint's URL (decision 0008) deliver the same messages to the same topics, in order,
    as JSON objects."""
    from services.live.publisher import IotDataPublisher, RecordingSink

    received: list[tuple[str, bytes]] = []
    reader = player(broker, f"reader-{kind}", received)
    assert reader.subscribe(topics.player_inbox(f"reader-{kind}")) == [True]
    messages = [{"type": "verdict", "n": n, "text": "Zoë ✓"} for n in range(3)]
    topic = topics.player_inbox(f"reader-{kind}")
    try:
        if kind == "fake":
            sink = RecordingSink()
            for message in messages:
                sink.publish(topic, message)
            delivered = sink.to(topic)
        else:
            client = boto3.client("iot-data", region_name="us-east-1", endpoint_url=iot_data_url,
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
            publisher: MessageSink | None = IotDataPublisher(client)
            if kind == "in-process":
                publisher = in_process.find(iot_data_url, MessageSink)
                assert isinstance(publisher, InProcessPublisher)
            assert publisher is not None
            for message in messages:
                publisher.publish(topic, message)
            deadline = time.monotonic() + 3
            while len(received) < len(messages) and time.monotonic() < deadline:
                time.sleep(0.01)
            delivered = [json.loads(payload) for _, payload in received]
        assert delivered == messages
    finally:
        reader.close()
