"""Messages from the live-game service over MQTT, and the per-game broadcast sequence numbers.

Pure data, no I/O. Every message carries ``type`` and ``game_id``; broadcast messages (on a
game's events topic) carry ``seq``, one more per broadcast. QoS 1 may deliver a broadcast twice
or out of order, so one whose ``seq`` is not above the last seen for its game is stale and is
dropped (docs/mqtt.md). Inbox messages are never stale: they carry no ``seq``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clients.sdk.game_messages import LastSeqs, MessageBody, header_of
from clients.sdk.mqtt_errors import InvalidMessage, LiveError
from clients.sdk.mqtt_topics import game_of


@dataclass(frozen=True)
class LiveMessage(MessageBody):
    topic: str
    type: str
    body: Mapping[str, Any] = field(repr=False)
    game_id: str | None = None
    seq: int | None = None
    request_id: str | None = None
    # time.perf_counter() when the MQTT client handed the message over (latency measurements).
    received_at: float = 0.0

    @classmethod
    def parse(cls, topic: str, payload: bytes | str, received_at: float = 0.0) -> LiveMessage:
        try:
            body = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            raise InvalidMessage(f"a message on {topic} is not JSON") from None
        return cls.from_body(topic, body, received_at)

    @classmethod
    def from_body(cls, topic: str, body: Any, received_at: float = 0.0) -> LiveMessage:
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise InvalidMessage(f"a message on {topic} has no type")
        return cls(topic, body["type"], body, *header_of(body), received_at=received_at)

    @property
    def is_broadcast(self) -> bool:
        return game_of(self.topic) is not None

    def error(self) -> LiveError:
        """This ``error`` message as the SDK exception, with the service's code."""
        return LiveError.from_body(self._require_error())


class BroadcastSeqs(LastSeqs):
    """The last broadcast ``seq`` seen per game."""

    def accept(self, message: LiveMessage) -> bool:
        """True (and remembered) when the message is fresh; False for a stale broadcast."""
        if not message.is_broadcast or message.seq is None:
            return True
        return self.fresh(message.game_id or game_of(message.topic) or "", message.seq)
