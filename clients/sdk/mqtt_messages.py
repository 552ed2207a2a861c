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

from clients.sdk.mqtt_errors import InvalidMessage, LiveError
from clients.sdk.mqtt_topics import game_of


@dataclass(frozen=True)
class LiveMessage:
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
        game_id, seq, request_id = body.get("game_id"), body.get("seq"), body.get("request_id")
        return cls(
            topic=topic,
            type=body["type"],
            body=body,
            game_id=game_id if isinstance(game_id, str) else None,
            seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
            request_id=request_id if isinstance(request_id, str) else None,
            received_at=received_at,
        )

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    @property
    def is_broadcast(self) -> bool:
        return game_of(self.topic) is not None

    @property
    def is_error(self) -> bool:
        return self.type == "error"

    def error(self) -> LiveError:
        """This ``error`` message as the SDK exception, with the service's code."""
        if not self.is_error:
            raise ValueError(f"a {self.type} message is not an error")
        return LiveError.from_body(dict(self.body))


class BroadcastSeqs:
    """The last broadcast ``seq`` seen per game."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def accept(self, message: LiveMessage) -> bool:
        """True (and remembered) when the message is fresh; False for a stale broadcast."""
        if not message.is_broadcast or message.seq is None:
            return True
        game_id = message.game_id or game_of(message.topic) or ""
        if message.seq <= self._last.get(game_id, 0):
            return False
        self._last[game_id] = message.seq
        return True

    def last(self, game_id: str) -> int:
        return self._last.get(game_id, 0)

    def forget(self, game_id: str) -> None:
        self._last.pop(game_id, None)
