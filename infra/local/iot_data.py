"""The iot-data API, locally: ``POST /topics/{topic}`` on loopback, as boto3's ``iot-data``
client sends it (``publish``), turned into a QoS 1 publish on Mosquitto as the ``service``
client. moto records iot-data publishes but delivers nothing, hence this stand-in.

Handlers running in this process skip the HTTP hop: ``InProcessPublisher`` publishes on the
same broker connection, registered under this endpoint's URL in ``services.core.in_process``
(decision 0008).

Requests are not signature-checked (loopback only, like the rest of the local cloud). Retain is
refused with 400, as the broker has no retained messages (and the service never retains).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qs, unquote

from aiohttp import web

from infra.local.loopback import LoopbackSite
from services.core import in_process
from services.core.errors import ServiceUnavailable
from services.live.mqtt_client import BrokerAddress, MqttConnection

logger = logging.getLogger(__name__)
_MAX_PAYLOAD_BYTES = 128 * 1024  # IoT Core's message size limit


class IotDataEndpoint:
    def __init__(self, address: BrokerAddress, *, username: str, password: str) -> None:
        self._address, self._username, self._password = address, username, password
        self._connection: MqttConnection | None = None
        self._site = LoopbackSite()
        self.url = ""

    async def start(self) -> None:
        self._connection = await asyncio.to_thread(
            MqttConnection(self._address, client_id="trivia-iot-data", username=self._username,
                           password=self._password).connect)
        app = web.Application(client_max_size=_MAX_PAYLOAD_BYTES)
        app.router.add_post("/topics/{topic:.+}", self._publish)
        port = await self._site.start(app, access_log=None)
        self.url = f"http://127.0.0.1:{port}"
        in_process.register(self.url, InProcessPublisher(self._connection))

    async def stop(self) -> None:
        in_process.unregister(self.url)
        await self._site.stop()
        if self._connection is not None:
            await asyncio.to_thread(self._connection.close)
            self._connection = None

    async def _publish(self, request: web.Request) -> web.Response:
        assert self._connection is not None
        # boto3 percent-encodes the slashes of the topic label: read the raw path
        topic = unquote(request.rel_url.raw_path[len("/topics/"):])
        query = parse_qs(request.rel_url.raw_query_string)
        if query.get("retain", ["false"])[0].lower() == "true":
            return _error(400, "InvalidRequestException", "retained messages are not supported")
        if not _topic_name(topic):
            return _error(400, "InvalidRequestException", "not a topic name")
        payload = await request.read()
        try:
            accepted = await asyncio.to_thread(self._connection.publish, topic, payload)
        except Exception:
            logger.exception("publish to %s failed", topic)
            return _error(503, "ServiceUnavailableException", "the broker is unreachable")
        if not accepted:
            return _error(403, "ForbiddenException", "the broker refused the publish")
        return web.json_response({})


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status,
                             headers={"x-amzn-ErrorType": code})


def _topic_name(topic: str) -> bool:
    return bool(topic) and "+" not in topic and "#" not in topic


class InProcessPublisher:
    """``services.live.ports.MessageSink`` for handlers in this process: the iot-data publish,
    QoS 1 on the broker connection, without the HTTP request."""

    def __init__(self, connection: MqttConnection) -> None:
        self._connection = connection

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        if not _topic_name(topic):
            raise ValueError(f"not a topic name: {topic!r}")
        payload = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        if len(payload) > _MAX_PAYLOAD_BYTES:
            raise ValueError(f"a message of {len(payload)} bytes is over IoT Core's limit")
        try:
            accepted = self._connection.publish(topic, payload)
        except Exception:  # awscrt's timeout or a lost connection
            logger.exception("publish to %s failed", topic)
            raise ServiceUnavailable("the message broker is unreachable; try again") from None
        if not accepted:
            raise ServiceUnavailable("the message broker refused the message; try again")
