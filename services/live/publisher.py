"""Messages out over MQTT: boto3's ``iot-data`` ``publish`` (QoS 1), on AWS and locally.

The client is built with an explicit endpoint (``IOT_DATA_ENDPOINT``): on AWS the account's
``iot:Data-ATS`` endpoint, locally the local cloud's iot-data stand-in, because there
``AWS_ENDPOINT_URL`` points every other client at moto, which delivers nothing.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.core.errors import ServiceUnavailable


class IotDataPublisher:
    def __init__(self, client: Any) -> None:
        self._client = client

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        payload = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        try:
            self._client.publish(topic=topic, qos=1, payload=payload)
        except (ClientError, BotoCoreError):
            raise ServiceUnavailable("the message broker is unreachable; try again") from None


class RecordingSink:
    """A fake ``MessageSink`` that records what was sent, in order (tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.sent.append((topic, json.loads(json.dumps(message))))

    def to(self, topic: str) -> list[dict[str, Any]]:
        return [message for sent_to, message in self.sent if sent_to == topic]
