"""The local API Gateway WebSocket API, on ``websockets``, with API Gateway's semantics.

- ``$connect``: before the handshake completes, the template's REQUEST authorizer function
  runs (401 when it raises ``Unauthorized``, 403 when it denies, 500 when it fails), then the
  ``$connect`` route's function (any non-2xx refuses the handshake). A refused connection never
  gets a record, because its ``$connect`` function never ran or said no.
- Each text frame is routed by its ``action`` (``$request.body.action``) to the template's
  function for that route key, ``$default`` otherwise, with the proxy event shape
  (``requestContext.routeKey``, ``connectionId``, ``authorizer`` from the authorizer's
  context). Frames are handled concurrently, as API Gateway invokes Lambda per message.
- A handler that raises gets API Gateway's ``{"message": "Internal server error", ...}``.
- ``$disconnect`` runs on every close, whoever closes.
- Limits: 32 KB per frame, 128 KB per message, else close 1009 (as API Gateway); an idle
  timeout and a maximum connection age, both settable (AWS: 10 minutes, 2 hours), close 1001.
- The @connections management API is served by ``connections_api.ConnectionsApi`` on its own
  loopback port, over this gateway's registry of open connections.

Tokens are never logged (the query string is not logged at all).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State

from infra.local import ws_events
from infra.local.lambda_runtime import LambdaRuntime
from infra.wiring import WebSocketRoute
from services.hosted.ports import PushOutcome

logger = logging.getLogger(__name__)
# websockets logs each request line at DEBUG, query string (the token) included: drop those
# records whatever the configured level (a filter, so INFO still follows the CLI's level).
_PROTOCOL_LOGGER = logging.getLogger(f"{__name__}.protocol")
_PROTOCOL_LOGGER.addFilter(lambda record: record.levelno >= logging.INFO)

MAX_FRAME_BYTES = 32 * 1024
MAX_MESSAGE_BYTES = 128 * 1024
DEFAULT_IDLE_TIMEOUT_SECONDS = 600.0
DEFAULT_MAX_AGE_SECONDS = 7200.0
_TIMEOUT_MARGIN_SECONDS = 0.5
# A connection with this much unsent data is not reading: further pushes to it are dropped.
MAX_BUFFERED_BYTES = 4 * 1024 * 1024
# A client that does not answer the closing handshake is dropped after this (stop stays quick).
_CLOSE_TIMEOUT_SECONDS = 2.0


@dataclass
class OpenConnection:
    info: ws_events.ConnectionInfo
    socket: ServerConnection
    authorizer: dict[str, Any] | None
    last_active: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.last_active = time.monotonic()


@dataclass(frozen=True)
class GatewaySettings:
    api_id: str
    account_id: str
    region: str
    stage: str = "live"
    idle_timeout_seconds: float = DEFAULT_IDLE_TIMEOUT_SECONDS
    max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS


class WebSocketGateway:
    def __init__(
        self,
        routes: Sequence[WebSocketRoute],
        authorizer_function: str | None,
        runtime: LambdaRuntime,
        settings: GatewaySettings,
    ) -> None:
        self._routes: Mapping[str, WebSocketRoute] = {r.route_key: r for r in routes}
        self._authorizer = authorizer_function
        self._runtime = runtime
        self.settings = settings
        self.connections: dict[str, OpenConnection] = {}
        self._accepted: dict[int, OpenConnection] = {}  # id(socket) -> connection, handshake
        self._server: Server | None = None
        self._reaper: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self.port = 0
        self.invocations = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/{self.settings.stage}"

    async def start(self, port: int = 0) -> str:
        self._server = await serve(
            self._serve,
            "127.0.0.1",
            port,
            process_request=self._handshake,
            max_size=(MAX_MESSAGE_BYTES, MAX_FRAME_BYTES),
            compression=None,
            ping_interval=None,
            max_queue=64,
            logger=_PROTOCOL_LOGGER,
            close_timeout=_CLOSE_TIMEOUT_SECONDS,
        )
        self.port = int(next(iter(self._server.sockets)).getsockname()[1])
        self._reaper = asyncio.create_task(self._reap())
        return self.url

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    # ---------------------------------------------------------------- $connect

    async def _handshake(self, socket: ServerConnection, request: Request) -> Response | None:
        peer = socket.remote_address
        info = ws_events.ConnectionInfo(
            connection_id=ws_events.new_connection_id(),
            api_id=self.settings.api_id,
            account_id=self.settings.account_id,
            region=self.settings.region,
            stage=self.settings.stage,
            domain_name=f"127.0.0.1:{self.port}",
            source_ip=peer[0] if peer else "127.0.0.1",
            user_agent=request.headers.get("User-Agent", ""),
        )
        headers = list(request.headers.raw_items())
        raw_query = urlsplit(request.path).query
        authorizer: dict[str, Any] | None = None
        if self._authorizer is not None and self._route("$connect", authorized=True):
            refused, authorizer = await self._authorize(info, headers, raw_query)
            if refused is not None:
                return socket.respond(refused, _reason(refused))
        connect = self._routes.get("$connect")
        if connect is not None:
            status = await self._connect(connect, info, headers, raw_query, authorizer)
            if not 200 <= status < 300:
                return socket.respond(status, _reason(status))
        self._accepted[id(socket)] = OpenConnection(info, socket, authorizer)
        return None

    def _route(self, route_key: str, *, authorized: bool) -> bool:
        route = self._routes.get(route_key)
        return route is not None and route.authorized == authorized

    async def _authorize(
        self, info: ws_events.ConnectionInfo, headers: list[tuple[str, str]], raw_query: str
    ) -> tuple[int | None, dict[str, Any] | None]:
        assert self._authorizer is not None
        event = ws_events.authorizer_event(info, headers, raw_query)
        try:
            result = await self._invoke(self._authorizer, event)
        except Exception as error:  # noqa: BLE001 (a Lambda error, as API Gateway sees it)
            if str(error) == "Unauthorized":
                return 401, None
            logger.error("the WebSocket authorizer failed: %s", type(error).__name__)
            return 500, None
        context = ws_events.authorizer_context(result)
        return (None, context) if context is not None else (403, None)

    async def _connect(
        self,
        route: WebSocketRoute,
        info: ws_events.ConnectionInfo,
        headers: list[tuple[str, str]],
        raw_query: str,
        authorizer: dict[str, Any] | None,
    ) -> int:
        event = ws_events.connect_event(info, headers, raw_query, authorizer)
        try:
            result = await self._invoke(route.function, event)
        except Exception:
            logger.exception("$connect handler %s failed", route.function)
            return 500
        status = result.get("statusCode", 200) if isinstance(result, Mapping) else 200
        return int(status) if isinstance(status, int) else 500

    # ---------------------------------------------------------------- messages

    async def _serve(self, socket: ServerConnection) -> None:
        connection = self._accepted.pop(id(socket), None)
        if connection is None:
            await socket.close(1011, "not accepted")
            return
        connection.touch()
        self.connections[connection.info.connection_id] = connection
        tasks: set[asyncio.Task[None]] = set()
        try:
            async for data in socket:
                connection.touch()
                task = asyncio.create_task(self._message(connection, data))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
        except ConnectionClosed:
            pass
        finally:
            self.connections.pop(connection.info.connection_id, None)
            await self._disconnect(connection)

    async def _message(self, connection: OpenConnection, data: str | bytes) -> None:
        route = self._routes.get(_route_key(data)) or self._routes.get("$default")
        if route is None:
            await _send_quietly(
                connection, {"message": "Forbidden", "connectionId": connection.info.connection_id}
            )
            return
        event = ws_events.message_event(
            connection.info, route.route_key, data, connection.authorizer
        )
        try:
            await self._invoke(route.function, event)
        except Exception:
            logger.exception("%s failed on route %s", route.function, route.route_key)
            await _send_quietly(
                connection,
                {
                    "message": "Internal server error",
                    "connectionId": connection.info.connection_id,
                    "requestId": event["requestContext"]["requestId"],
                },
            )

    async def _disconnect(self, connection: OpenConnection) -> None:
        route = self._routes.get("$disconnect")
        if route is None:
            return
        socket = connection.socket
        code = socket.close_code if socket.close_code is not None else 1006
        event = ws_events.disconnect_event(
            connection.info, connection.authorizer, code, socket.close_reason or ""
        )
        try:
            await self._invoke(route.function, event)
        except Exception:
            logger.exception("$disconnect handler %s failed", route.function)

    async def _invoke(self, function: str, event: dict[str, Any]) -> Any:
        self.invocations += 1
        timeout = self._runtime.config(function).timeout_seconds + _TIMEOUT_MARGIN_SECONDS
        return await asyncio.wait_for(self._runtime.invoke_async(function, event), timeout)

    # ---------------------------------------------------------------- management

    async def post(self, connection_id: str, data: bytes) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        try:
            await connection.socket.send(data, text=_is_utf8(data))
        except ConnectionClosed:
            return False
        connection.touch()
        return True

    def push_now(self, pushes: Sequence[tuple[str, bytes]]) -> list[PushOutcome]:
        """A message to each of many connections, written from the event loop without waiting
        for the writes to drain (``websockets.broadcast``'s way): what the @connections API's
        POST does per connection (a payload over 128 KB fails, as its 413), for a whole fan-out
        at once. Call it on the loop's thread."""
        outcomes: list[PushOutcome] = []
        for connection_id, data in pushes:
            if len(data) > MAX_MESSAGE_BYTES:
                outcomes.append("failed")
                continue
            connection = self.connections.get(connection_id)
            if connection is None or connection.socket.state is not State.OPEN:
                outcomes.append("gone")
                continue
            transport = connection.socket.transport
            if transport is not None and transport.get_write_buffer_size() > MAX_BUFFERED_BYTES:
                logger.warning("connection %s is not reading; message dropped", connection_id)
                outcomes.append("failed")
                continue
            try:
                broadcast([connection.socket], data, raise_exceptions=True, text=_is_utf8(data))
            except ExceptionGroup:
                outcomes.append("failed")
                continue
            connection.touch()
            outcomes.append("sent")
        return outcomes

    async def close(self, connection_id: str) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        await connection.socket.close(1000, "closed by the server")
        return True

    async def _reap(self) -> None:
        """Close idle connections and those past their maximum age (1001, as API Gateway)."""
        while True:
            await asyncio.sleep(min(1.0, self.settings.idle_timeout_seconds / 4))
            now = time.monotonic()
            wall = time.time() * 1000
            for connection in list(self.connections.values()):
                age = (wall - connection.info.connected_at_ms) / 1000
                idle = now - connection.last_active
                if idle > self.settings.idle_timeout_seconds or age > self.settings.max_age_seconds:
                    task = asyncio.create_task(connection.socket.close(1001, "Going away"))
                    self._closing.add(task)
                    task.add_done_callback(self._closing.discard)


def _is_utf8(data: bytes) -> bool:
    """API Gateway sends a pushed body as a text frame when it is UTF-8, else as binary."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _route_key(data: str | bytes) -> str:
    """``$request.body.action``: a JSON object's string ``action``, else ``$default``."""
    if isinstance(data, bytes):
        return "$default"
    try:
        body = json.loads(data)
    except ValueError:
        return "$default"
    action = body.get("action") if isinstance(body, dict) else None
    return action if isinstance(action, str) and not action.startswith("$") else "$default"


async def _send_quietly(connection: OpenConnection, message: dict[str, Any]) -> None:
    try:
        await connection.socket.send(json.dumps(message))
    except ConnectionClosed:
        pass


def _reason(status: int) -> str:
    return {401: "Unauthorized", 403: "Forbidden"}.get(status, "Internal server error") + "\n"
