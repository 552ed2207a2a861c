"""The @connections management API of the local WebSocket gateway, on loopback HTTP.

What boto3's ``apigatewaymanagementapi`` client calls, unchanged (``endpoint_url`` is this
server's URL with the stage, as on AWS ``https://<api>.execute-api.<region>.amazonaws.com/<stage>``):

- ``POST /<stage>/@connections/{id}``: the body goes to the connection as one message (text
  when it is UTF-8, as API Gateway does); 200.
- ``GET  /<stage>/@connections/{id}``: ``{connectedAt, identity: {sourceIp, userAgent},
  lastActiveAt}`` (the wire names; boto3 shows them as ``ConnectedAt``, ...).
- ``DELETE /<stage>/@connections/{id}``: closes the connection (its ``$disconnect`` runs); 204.

Handlers running in this process skip the HTTP hop for their fan-outs: ``InProcessFanout``
hands a whole broadcast to the gateway's event loop at once (decision 0008). ``ws_local``
registers it under this API's URL, in ``services.core.in_process``.

An unknown or closed connection answers 410 with ``GoneException``, which botocore raises as
``ClientError`` code ``GoneException``. Payloads over 128 KB answer 413
(``PayloadTooLargeException``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from infra.local.loopback import LoopbackSite
from infra.local.ws_gateway import MAX_MESSAGE_BYTES, WebSocketGateway
from services.hosted.ports import PushOutcome

# How long a handler waits for the gateway's loop to take its fan-out before calling it failed.
_FANOUT_TIMEOUT_SECONDS = 5.0


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"message": message}, status=status, headers={"x-amzn-ErrorType": code}
    )


def _gone(connection_id: str) -> web.Response:
    return _error(410, "GoneException", f"connection {connection_id} is gone")


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat().replace("+00:00", "Z")


class ConnectionsApi:
    def __init__(self, gateway: WebSocketGateway) -> None:
        self._gateway = gateway
        self._site = LoopbackSite()

    @property
    def port(self) -> int:
        return self._site.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self._gateway.settings.stage}"

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=MAX_MESSAGE_BYTES + 1024)
        for prefix in ("/{stage}/@connections/{connection_id}", "/@connections/{connection_id}"):
            app.router.add_post(prefix, self._post)
            app.router.add_get(prefix, self._get)
            app.router.add_delete(prefix, self._delete)
        await self._site.start(app, port, access_log=None)
        return self.url

    async def stop(self) -> None:
        await self._site.stop()

    async def _post(self, request: web.Request) -> web.Response:
        connection_id = request.match_info["connection_id"]
        if (request.content_length or 0) > MAX_MESSAGE_BYTES:
            return _error(413, "PayloadTooLargeException", "over 128 KB")
        data = await request.read()
        if not await self._gateway.post(connection_id, data):
            return _gone(connection_id)
        return web.Response(status=200)

    async def _get(self, request: web.Request) -> web.Response:
        connection_id = request.match_info["connection_id"]
        connection = self._gateway.connections.get(connection_id)
        if connection is None:
            return _gone(connection_id)
        idle = time.monotonic() - connection.last_active
        body: dict[str, Any] = {
            "connectedAt": _iso(connection.info.connected_at_ms / 1000),
            "identity": {
                "sourceIp": connection.info.source_ip,
                "userAgent": connection.info.user_agent,
            },
            "lastActiveAt": _iso(time.time() - idle),
        }
        return web.json_response(body)

    async def _delete(self, request: web.Request) -> web.Response:
        connection_id = request.match_info["connection_id"]
        if not await self._gateway.close(connection_id):
            return _gone(connection_id)
        return web.Response(status=204)


class InProcessFanout:
    """``services.hosted.ports.Fanout`` for handlers in the gateway's own process: the fan-out
    runs on the gateway's event loop in one hop, with the POST's outcomes (gone for a closed
    connection; a payload over 128 KB fails, as the API's 413)."""

    def __init__(self, gateway: WebSocketGateway, loop: asyncio.AbstractEventLoop) -> None:
        self._gateway = gateway
        self._loop = loop

    def deliver(self, pushes: Sequence[tuple[str, bytes]]) -> list[PushOutcome]:
        targets = list(pushes)
        done: Future[list[PushOutcome]] = Future()

        def push() -> None:
            if done.set_running_or_notify_cancel():
                try:
                    done.set_result(self._gateway.push_now(targets))
                except BaseException as error:  # handed to the waiting handler
                    done.set_exception(error)

        self._loop.call_soon_threadsafe(push)
        try:
            return done.result(_FANOUT_TIMEOUT_SECONDS)
        except FutureTimeout:
            done.cancel()
            return ["failed"] * len(targets)
