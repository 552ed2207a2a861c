"""Errors of the hosted-game WebSocket client, each with a stable ``code`` like the HTTP SDK's.

``WsError`` is an ``error`` frame from the server: its ``code`` is the server's own
(docs/websocket.md, "Error codes"). The others are about the connection itself.
"""

from __future__ import annotations

from typing import Any

from clients.sdk.errors import GameServerError, TransportError, TriviaError

# websockets closes with 1009 when a frame or message is over the gateway's limits.
MESSAGE_TOO_BIG = 1009
_HANDSHAKE_CODES = {401: "unauthorized", 403: "forbidden"}


class WsError(GameServerError):
    """The server answered an action with an ``error`` frame."""

    @classmethod
    def from_frame(cls, frame: dict[str, Any]) -> WsError:
        return cls.from_body(frame)


class HandshakeRefused(TriviaError):
    """``$connect`` refused the connection (no, bad or expired token: 401/403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, code=_HANDSHAKE_CODES.get(status, f"http_{status}"))
        self.status = status


class ConnectionLost(TransportError):
    """The WebSocket closed (or never opened); ``close_code`` is the peer's, when it sent one."""

    code = "connection_lost"

    def __init__(self, message: str, *, close_code: int | None = None) -> None:
        super().__init__(message)
        self.close_code = close_code
        if close_code == MESSAGE_TOO_BIG:
            self.code = "message_too_big"
            self.retryable = False


class ProtocolViolation(TriviaError):
    """The server sent something that is not a message of the protocol (not a JSON object
    with a ``type``)."""

    code = "invalid_message"
