"""``LiveConnection``: one player's (or host's) MQTT 5 connection to the live-game broker.

Built on awscrt's MQTT 5 client, whose callbacks run on its own event-loop threads: each one
is handed to the asyncio loop with ``loop.call_soon_threadsafe``, so everything else runs on
the loop. Locally the client connects over plain TCP with username and password and
``disable_metrics`` (else awscrt appends SDK metrics to the username and Mosquitto refuses the
login); on AWS it is built by awsiotsdk's ``direct_with_custom_authorizer`` (TLS), presenting
the Cognito access token as the authorizer expects.

- ``open_live(client)`` asks ``POST /live/credentials`` and connects with the answer;
- ``connect`` waits for the first CONNACK and subscribes to the player's inbox;
- ``watch_game`` subscribes to a game's broadcast topic;
- ``send_command`` (host) and ``send_action`` (player) publish at QoS 1 on the topics carrying
  the player's own id and wait for the PUBACK; each gets a ``request_id``, generated unless
  given, which the service echoes on its inbox reply;
- ``receive`` and ``async for`` give decoded messages (``LiveMessage``); a broadcast whose
  ``seq`` is not above the last seen for its game is stale (QoS 1 duplicates, reordering) and
  dropped (counted in ``dropped``);
- the client reconnects by itself (exponential back-off). A reconnection that finds no session
  on the broker (a restarted broker) subscribes again to every topic filter; ``on_reconnect``
  is called on the loop once that is done, so a brain can resynchronise (e.g. join again).

Many connections in one process share awscrt's default event-loop group (or the bootstrap
passed in), so a demo of hundreds of bots costs no thread per bot. Secrets are never logged.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from concurrent.futures import Future
from typing import Any, TypeVar

from awscrt import io, mqtt5
from awscrt.exceptions import AwsCrtError

from clients.sdk import mqtt_topics as topics
from clients.sdk.client import TriviaClient
from clients.sdk.errors import TriviaError
from clients.sdk.lifecycle import AsyncResource
from clients.sdk.mqtt_credentials import AuthorizerLogin, BrokerLogin, MqttCredentials
from clients.sdk.mqtt_errors import (
    BrokerRefused,
    BrokerUnreachable,
    InvalidMessage,
    OperationRefused,
)
from clients.sdk.mqtt_messages import BroadcastSeqs, LiveMessage
from services.live.mqtt_nodelay import set_nodelay

logger = logging.getLogger(__name__)

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 10.0
OPERATION_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 5.0
KEEP_ALIVE_SECONDS = 60
# A dropped connection finds its subscriptions and queued QoS 1 messages again within this.
SESSION_EXPIRY_SECONDS = 300
MIN_RECONNECT_DELAY_MS = 100
MAX_RECONNECT_DELAY_MS = 5_000
_FAILED = 0x80  # MQTT 5 reason codes from 0x80 up are failures
_request_numbers = itertools.count(1)


class LiveConnection(AsyncResource):
    def __init__(
        self,
        credentials: MqttCredentials,
        *,
        bootstrap: io.ClientBootstrap | None = None,
        session_expiry_seconds: int = SESSION_EXPIRY_SECONDS,
        keep_alive_seconds: int = KEEP_ALIVE_SECONDS,
        on_reconnect: Callable[[], None] | None = None,
    ) -> None:
        self.credentials = credentials
        self.player_id = credentials.client_id
        self.on_reconnect = on_reconnect
        self.reconnects = 0
        self.dropped = 0  # stale broadcasts not delivered
        self._bootstrap = bootstrap
        self._session_expiry = session_expiry_seconds
        self._keep_alive = keep_alive_seconds
        self._client: mqtt5.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._first: asyncio.Future[None] | None = None
        self._last_failure = "no answer"
        self._connected = False
        self._stopped = asyncio.Event()
        self._messages: asyncio.Queue[LiveMessage | None] = asyncio.Queue()
        self._filters: dict[str, None] = {}  # topic filters subscribed, in order
        self._seqs = BroadcastSeqs()
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ lifecycle

    async def _enter(self) -> None:
        await self.connect()

    async def connect(self, timeout: float = CONNECT_TIMEOUT_SECONDS) -> None:
        """Connect and subscribe to the inbox; ``BrokerRefused`` or ``BrokerUnreachable``."""
        if self._client is not None:
            raise RuntimeError("already connected")
        self._loop = asyncio.get_running_loop()
        self._first = self._loop.create_future()
        self._stopped.clear()
        self._client = self._build()
        self._client.start()
        try:
            async with asyncio.timeout(timeout):
                await self._first
            await self._subscribe([topics.player_inbox(self.player_id)])
        except TimeoutError:
            await self.close()
            raise BrokerUnreachable(
                f"no connection in {timeout:g} s: {self._last_failure}"
            ) from None
        except TriviaError:
            await self.close()
            raise

    async def close(self) -> None:
        """Disconnect and stop reconnecting; ``receive`` then raises, iteration ends."""
        client, self._client = self._client, None
        if client is None:
            return
        client.stop()
        try:
            async with asyncio.timeout(STOP_TIMEOUT_SECONDS):
                await self._stopped.wait()
        except TimeoutError:
            logger.warning("the MQTT client did not report stopping in time")
        for task in self._tasks:
            task.cancel()
        self._connected = False
        self._messages.put_nowait(None)

    @property
    def connected(self) -> bool:
        return self._connected

    # ------------------------------------------------------------------ topics

    async def watch_game(self, game_id: str) -> None:
        """Receive a game's broadcasts (``OperationRefused`` if the policy forbids it)."""
        await self._subscribe([topics.game_events(game_id)])

    async def unwatch_game(self, game_id: str) -> None:
        topic_filter = topics.game_events(game_id)
        packet = mqtt5.UnsubscribePacket(topic_filters=[topic_filter])
        await self._operation(self._require_client().unsubscribe(packet), "unsubscribe")
        self._filters.pop(topic_filter, None)
        self._seqs.forget(game_id)

    async def subscribe(self, topic_filter: str) -> None:
        """Any other topic filter (tests of the policy use this)."""
        await self._subscribe([topic_filter])

    def last_seq(self, game_id: str) -> int:
        return self._seqs.last(game_id)

    # ------------------------------------------------------------------ sending

    async def send_command(
        self, action: str, *, request_id: str | None = None, **fields: Any
    ) -> str:
        """A host command on ``hosts/{me}/commands``; returns its ``request_id``."""
        return await self._send(topics.host_commands(self.player_id), action, request_id, fields)

    async def send_action(
        self, action: str, *, request_id: str | None = None, **fields: Any
    ) -> str:
        """A player action on ``players/{me}/actions``; returns its ``request_id``."""
        return await self._send(topics.player_actions(self.player_id), action, request_id, fields)

    async def publish(self, topic: str, body: Mapping[str, Any], *, retain: bool = False) -> None:
        """Publish a JSON object at QoS 1 and wait for the broker's PUBACK."""
        payload = json.dumps(body, separators=(",", ":")).encode()
        packet = mqtt5.PublishPacket(
            topic=topic, payload=payload, qos=mqtt5.QoS.AT_LEAST_ONCE, retain=retain
        )
        done = await self._operation(self._require_client().publish(packet), "publish")
        reason = done.puback.reason_code if done.puback is not None else None
        if reason is not None and reason >= _FAILED:
            raise OperationRefused(f"the broker refused a publish to {topic}", reason=_name(reason))

    # ------------------------------------------------------------------ receiving

    async def receive(self, timeout: float | None = None) -> LiveMessage:
        """The next fresh message; ``TimeoutError`` after ``timeout`` seconds without one."""
        async with asyncio.timeout(timeout):
            message = await self._messages.get()
        if message is None:
            self._messages.put_nowait(None)  # every later call sees the end too
            raise BrokerUnreachable("the connection is closed", code="connection_closed")
        return message

    def __aiter__(self) -> AsyncIterator[LiveMessage]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[LiveMessage]:
        while True:
            message = await self._messages.get()
            if message is None:
                self._messages.put_nowait(None)
                return
            yield message

    # ------------------------------------------------------------------ plumbing (loop)

    async def _send(self, topic: str, action: str, request_id: str | None, fields: Any) -> str:
        request_id = request_id or f"m{next(_request_numbers)}"
        await self.publish(topic, {"action": action, "request_id": request_id, **fields})
        return request_id

    async def _subscribe(self, filters: list[str]) -> None:
        subscriptions = [
            mqtt5.Subscription(topic_filter=topic_filter, qos=mqtt5.QoS.AT_LEAST_ONCE)
            for topic_filter in filters
        ]
        packet = mqtt5.SubscribePacket(subscriptions=subscriptions)
        suback = await self._operation(self._require_client().subscribe(packet), "subscribe")
        for topic_filter, reason in zip(filters, suback.reason_codes or (), strict=False):
            if reason >= _FAILED:
                message = f"the broker refused a subscription to {topic_filter}"
                raise OperationRefused(message, reason=_name(reason))
            self._filters[topic_filter] = None

    async def _operation(self, future: Future[T], what: str) -> T:
        try:
            async with asyncio.timeout(OPERATION_TIMEOUT_SECONDS):
                return await asyncio.wrap_future(future)
        except TimeoutError:
            raise BrokerUnreachable(f"no acknowledgement of a {what}", code="timeout") from None
        except AwsCrtError as error:
            raise BrokerUnreachable(f"{what} failed: {error.name}") from None

    def _deliver(self, topic: str, payload: bytes, received_at: float) -> None:
        try:
            message = LiveMessage.parse(topic, payload, received_at)
        except InvalidMessage as invalid:
            logger.warning("ignored a message: %s", invalid)
            return
        if not self._seqs.accept(message):
            self.dropped += 1
            logger.debug("stale %s seq %s dropped", message.type, message.seq)
            return
        self._messages.put_nowait(message)

    def _connection_succeeded(self, session_present: bool) -> None:
        self._connected = True
        self._nodelay()
        if self._first is not None and not self._first.done():
            self._first.set_result(None)
            return
        self.reconnects += 1
        self._spawn(self._restore(session_present))

    async def _restore(self, session_present: bool) -> None:
        if not session_present and self._filters:
            try:
                await self._subscribe(list(self._filters))
            except TriviaError as error:
                logger.warning("could not subscribe again after reconnecting: %s", error)
        if self.on_reconnect is not None:
            self.on_reconnect()

    def _connection_failed(self, reason: int | None, failure: str) -> None:
        self._last_failure = failure
        first = self._first
        if first is None or first.done():
            logger.debug("reconnect attempt failed: %s", failure)
            return
        if reason is not None and reason >= _FAILED:
            first.set_exception(BrokerRefused(f"the broker refused: {failure}", code=_name(reason)))

    def _disconnected(self) -> None:
        self._connected = False

    def _spawn(self, job: Awaitable[None]) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _require_client(self) -> mqtt5.Client:
        if self._client is None:
            raise BrokerUnreachable("not connected", code="not_connected")
        return self._client

    # ------------------------------------------------------------------ awscrt threads

    def _soon(self, callback: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:
            pass  # the loop closed between the check and the call

    def _crt_publish(self, data: mqtt5.PublishReceivedData) -> None:
        packet = data.publish_packet
        self._soon(self._deliver, packet.topic, packet.payload, time.perf_counter())

    def _crt_success(self, data: mqtt5.LifecycleConnectSuccessData) -> None:
        connack = data.connack_packet
        self._soon(self._connection_succeeded, bool(connack and connack.session_present))

    def _crt_failure(self, data: mqtt5.LifecycleConnectFailureData) -> None:
        connack = data.connack_packet
        reason = int(connack.reason_code) if connack and connack.reason_code is not None else None
        failure = _name(reason) if reason else _describe(data.exception)
        self._soon(self._connection_failed, reason, failure)

    def _crt_disconnection(self, data: mqtt5.LifecycleDisconnectData) -> None:
        self._soon(self._disconnected)

    def _crt_stopped(self, data: mqtt5.LifecycleStoppedData) -> None:
        self._soon(self._stopped.set)

    def _nodelay(self) -> None:
        """TCP_NODELAY on this connection's socket, soon (services/live/mqtt_nodelay.py: a quick
        answer after a QoS 1 delivery otherwise waits for the broker's delayed ACK)."""
        login = self.credentials.login
        if isinstance(login, BrokerLogin):
            address = (login.host, login.port)
        else:
            address = (login.endpoint, login.port or _TLS_PORT)
        if self._loop is not None:
            _nodelay_soon(self._loop, *address)

    # ------------------------------------------------------------------ building

    def _build(self) -> mqtt5.Client:
        options = self._options()
        login = self.credentials.login
        if isinstance(login, BrokerLogin):
            return mqtt5.Client(_with_password(options, login))
        return _authorizer_client(options, login, self.player_id)

    def _options(self) -> mqtt5.ClientOptions:
        connect = mqtt5.ConnectPacket(
            client_id=self.player_id,
            keep_alive_interval_sec=self._keep_alive,
            session_expiry_interval_sec=self._session_expiry,
        )
        # Rejoin only after a first success: a fresh connect never inherits an old game's queue.
        behaviour = (
            mqtt5.ClientSessionBehaviorType.REJOIN_POST_SUCCESS
            if self._session_expiry > 0
            else mqtt5.ClientSessionBehaviorType.CLEAN
        )
        return mqtt5.ClientOptions(
            host_name="",
            bootstrap=self._bootstrap,
            connect_options=connect,
            session_behavior=behaviour,
            min_reconnect_delay_ms=MIN_RECONNECT_DELAY_MS,
            max_reconnect_delay_ms=MAX_RECONNECT_DELAY_MS,
            ack_timeout_sec=int(OPERATION_TIMEOUT_SECONDS),
            on_publish_callback_fn=self._crt_publish,
            on_lifecycle_event_connection_success_fn=self._crt_success,
            on_lifecycle_event_connection_failure_fn=self._crt_failure,
            on_lifecycle_event_disconnection_fn=self._crt_disconnection,
            on_lifecycle_event_stopped_fn=self._crt_stopped,
        )


def _with_password(options: mqtt5.ClientOptions, login: BrokerLogin) -> mqtt5.ClientOptions:
    """Plain TCP, username and password (the local Mosquitto)."""
    options.host_name, options.port = login.host, login.port
    options.connect_options.username = login.username
    options.connect_options.password = login.password
    # Else awscrt appends SDK metrics to the username and Mosquitto refuses the login.
    options.disable_metrics = True
    return options


def _authorizer_client(
    options: mqtt5.ClientOptions, login: AuthorizerLogin, client_id: str
) -> mqtt5.Client:
    from awsiot import mqtt5_client_builder  # AWS only: TLS through awsiotsdk's builder

    options.host_name = login.endpoint
    if login.port is not None:
        options.port = login.port
    return mqtt5_client_builder.direct_with_custom_authorizer(
        endpoint=login.endpoint,
        client_id=client_id,
        auth_username=client_id,
        auth_authorizer_name=login.authorizer_name,
        auth_password=login.token,
        client_options=options,
    )


def _name(reason: int) -> str:
    """``not_authorized`` from 0x87, whichever packet's reason code it is."""
    for kind in (mqtt5.ConnectReasonCode, mqtt5.SubackReasonCode, mqtt5.PubackReasonCode):
        try:
            return kind(reason).name.lower()
        except ValueError:
            continue
    return f"reason_{reason:#x}"


def _describe(error: BaseException | None) -> str:
    if isinstance(error, AwsCrtError):
        return error.name
    return type(error).__name__ if error is not None else "unknown failure"


async def open_live(client: TriviaClient, **options: Any) -> LiveConnection:
    """Ask the API for this player's broker credentials and connect with them.

    ``client`` must be logged in; ``options`` go to ``LiveConnection`` (e.g. ``bootstrap``).
    """
    answer = await client.get_live_credentials()
    token = client.tokens.access_token if client.tokens is not None else None
    credentials = MqttCredentials.from_api(answer, client.endpoints, access_token=token)
    connection = LiveConnection(credentials, **options)
    await connection.connect()
    return connection


_TLS_PORT = 443
_NODELAY_PAUSE_SECONDS = 0.05  # one scan for all the connections that succeed meanwhile
_nodelay_pending: set[tuple[int, str, int]] = set()


def _nodelay_soon(loop: asyncio.AbstractEventLoop, host: str, port: int) -> None:
    key = (id(loop), host, port)
    if key in _nodelay_pending:
        return
    _nodelay_pending.add(key)

    def scan() -> None:
        _nodelay_pending.discard(key)
        set_nodelay(host, port)

    loop.call_later(_NODELAY_PAUSE_SECONDS, scan)
