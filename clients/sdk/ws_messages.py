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

from clients.sdk.game_messages import LastSeqs, MessageBody, header_of
from clients.sdk.ws_errors import ProtocolViolation, WsError


@dataclass(frozen=True)
class ServerMessage(MessageBody):
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
        return cls(body["type"], body, *header_of(body))

    def error(self) -> WsError:
        """This ``error`` frame as the SDK exception, with the server's code."""
        return WsError.from_frame(self._require_error())


class SeqTracker(LastSeqs):
    """The last sequence number seen per game."""

    def accept(self, message: ServerMessage) -> bool:
        """True (and remembered) when the message is fresh; False when it is stale."""
        if message.game_id is None or message.seq is None:
            return True
        return self.fresh(message.game_id, message.seq)

    def games(self) -> dict[str, int]:
        """Game id -> last seq, for every game this connection has heard from."""
        return dict(self._last)
