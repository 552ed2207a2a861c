"""The @connections management API of the local WebSocket gateway, on loopback HTTP.

What boto3's ``apigatewaymanagementapi`` client calls, unchanged (``endpoint_url`` is this
server's URL with the stage, as on AWS ``https://<api>.execute-api.<region>.amazonaws.com/<stage>``):

- ``POST /<stage>/@connections/{id}``: the body goes to the connection as one message (text
  when it is UTF-8, as API Gateway does); 200.
- ``GET  /<stage>/@connections/{id}``: ``{connectedAt, identity: {sourceIp, userAgent},
  lastActiveAt}`` (the wire names; boto3 shows them as ``ConnectedAt``, ...).
- ``DELETE /<stage>/@connections/{id}``: closes the connection (its ``$disconnect`` runs); 204.

An unknown or closed connection answers 410 with ``GoneException``, which botocore raises as
``ClientError`` code ``GoneException``. Payloads over 128 KB answer 413
(``PayloadTooLargeException``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from infra.local.loopback import LoopbackSite
from infra.local.ws_gateway import MAX_MESSAGE_BYTES, WebSocketGateway


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
