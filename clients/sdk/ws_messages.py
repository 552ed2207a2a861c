"""Server messages of the hosted-game protocol, and the per-game sequence numbers.

Pure data, no I/O: the WebSocket client and the bot brains share these. Every message a game
sends carries ``game_id`` and ``seq`` (docs/websocket.md): a message whose ``seq`` is not above
the last one seen for its game is stale (a duplicate, or overtaken) and is dropped. Errors that
concern no game carry neither and are never stale.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clients.sdk.ws_errors import ProtocolViolation, WsError


@dataclass(frozen=True)
class ServerMessage:
    type: str
    body: Mapping[str, Any] = field(repr=False)
    game_id: str | None = None
    seq: int | None = None
    request_id: str | None = None

    @classmethod
    def parse(cls, raw: str | bytes) -> ServerMessage:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ProtocolViolation("the server sent a frame that is not JSON") from None
        return cls.from_body(body)

    @classmethod
    def from_body(cls, body: Any) -> ServerMessage:
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise ProtocolViolation("the server sent a frame without a message type")
        seq = body.get("seq")
        game_id = body.get("game_id")
        request_id = body.get("request_id")
        return cls(
            type=body["type"],
            body=body,
            game_id=game_id if isinstance(game_id, str) else None,
            seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
            request_id=request_id if isinstance(request_id, str) else None,
        )

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    @property
    def is_error(self) -> bool:
        return self.type == "error"

    def error(self) -> WsError:
        """This ``error`` frame as the SDK exception, with the server's code."""
        if not self.is_error:
            raise ValueError(f"a {self.type} message is not an error")
        return WsError.from_frame(dict(self.body))


class SeqTracker:
    """The last sequence number seen per game."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def accept(self, message: ServerMessage) -> bool:
        """True (and remembered) when the message is fresh; False when it is stale."""
        if message.game_id is None or message.seq is None:
            return True
        if message.seq <= self._last.get(message.game_id, 0):
            return False
        self._last[message.game_id] = message.seq
        return True

    def last(self, game_id: str) -> int:
        return self._last.get(game_id, 0)

    def games(self) -> dict[str, int]:
        """Game id -> last seq, for every game this connection has heard from."""
        return dict(self._last)

    def forget(self, game_id: str) -> None:
        self._last.pop(game_id, None)
