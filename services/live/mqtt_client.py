"""A small synchronous MQTT 5 connection on awscrt, for the service's own broker clients.

Used locally: the local cloud's rules runner and iot-data stand-in, and the tests. Plain TCP or
websockets, no TLS (loopback only), and ``disable_metrics=True``: otherwise awscrt appends SDK
metrics to the username and Mosquitto refuses the login (DESIGN.md, "Known gaps and traps").

awscrt reconnects by itself after a drop (a broker restart, a keep-alive the broker expired); the
session is clean, so the broker has forgotten the subscriptions, and they are made again on
every reconnect. Without that, the rules runner would stay connected and never hear another
answer, silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from awscrt import mqtt5

from services.live.mqtt_nodelay import set_nodelay

OnMessage = Callable[[str, bytes, bool], None]  # topic, payload, retain


class MqttRefused(ConnectionError):
    """The broker refused the connection (CONNACK reason code in ``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"connection refused: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    websocket: bool = False


def _plain_handshake(transform_args: mqtt5.WebsocketHandshakeTransformArgs) -> None:
    """Websockets without signing (awscrt passes the argument by this keyword)."""
    transform_args.set_done()


class MqttConnection:
    def __init__(self, address: BrokerAddress, *, client_id: str, username: str | None = None,
                 password: str | None = None, on_message: OnMessage | None = None) -> None:
        self._on_message = on_message
        self._outcome: Future[None] = Future()
        self._filters: list[str] = []  # subscribed so far, made again on each reconnect
        self._address = address
        self.reconnects = 0
        self.disconnected = threading.Event()
        options = mqtt5.ClientOptions(
            host_name=address.host, port=address.port,
            connect_options=mqtt5.ConnectPacket(
                client_id=client_id, username=username,
                password=password.encode() if password is not None else None,
                keep_alive_interval_sec=30),
            session_behavior=mqtt5.ClientSessionBehaviorType.CLEAN,
            min_reconnect_delay_ms=200, max_reconnect_delay_ms=2000,
            on_publish_callback_fn=self._received,
            on_lifecycle_event_connection_success_fn=self._connected,
            on_lifecycle_event_connection_failure_fn=self._failed,
            on_lifecycle_event_disconnection_fn=lambda _: self.disconnected.set(),
            disable_metrics=True,
        )
        if address.websocket:
            options.websocket_handshake_transform = _plain_handshake
        self._client = mqtt5.Client(options)

    def connect(self, timeout: float = 5.0) -> MqttConnection:
        self._client.start()
        try:
            self._outcome.result(timeout)
        except BaseException:
            self._client.stop()
            raise
        return self

    def subscribe(self, *topic_filters: str, timeout: float = 5.0) -> list[bool]:
        """True per filter the broker granted."""
        self._filters.extend(f for f in topic_filters if f not in self._filters)
        suback = self._client.subscribe(_subscription(topic_filters)).result(timeout)
        return [code.value < 0x80 for code in suback.reason_codes]

    def publish(self, topic: str, payload: bytes, *, retain: bool = False,
                timeout: float = 5.0) -> bool:
        """QoS 1; True when the broker acknowledged it as accepted."""
        packet = mqtt5.PublishPacket(topic=topic, payload=payload,
                                     qos=mqtt5.QoS.AT_LEAST_ONCE, retain=retain)
        completion = self._client.publish(packet).result(timeout)
        puback = completion.puback
        return puback is not None and puback.reason_code.value < 0x80

    def close(self, timeout: float = 5.0) -> None:
        self._client.stop()

    def _connected(self, _: mqtt5.LifecycleConnectSuccessData) -> None:
        self.disconnected.clear()
        set_nodelay(self._address.host, self._address.port)  # see mqtt_nodelay: Nagle
        if not self._outcome.done():
            self._outcome.set_result(None)
            return
        self.reconnects += 1
        if self._filters:  # on awscrt's thread: ask, never wait here
            self._client.subscribe(_subscription(self._filters))

    def _failed(self, data: mqtt5.LifecycleConnectFailureData) -> None:
        if self._outcome.done():
            return
        connack = data.connack_packet
        reason = connack.reason_code.name if connack is not None else f"error {data.exception}"
        self._outcome.set_exception(MqttRefused(reason))

    def _received(self, data: mqtt5.PublishReceivedData) -> None:
        packet = data.publish_packet
        if self._on_message is not None:
            self._on_message(packet.topic, bytes(packet.payload or b""), bool(packet.retain))


def _subscription(topic_filters: tuple[str, ...] | list[str]) -> mqtt5.SubscribePacket:
    return mqtt5.SubscribePacket(subscriptions=[
        mqtt5.Subscription(topic_filter=f, qos=mqtt5.QoS.AT_LEAST_ONCE) for f in topic_filters])
