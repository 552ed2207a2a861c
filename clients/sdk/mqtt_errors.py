"""Errors of the live-game MQTT client, each with a stable ``code`` like the HTTP SDK's.

``LiveError`` is an ``error`` message on the player's inbox: its ``code`` is the server's own
(docs/mqtt.md). The others are about the connection to the broker itself.
"""

from __future__ import annotations

from typing import Any

from clients.sdk.errors import TransportError, TriviaError


class LiveError(TriviaError):
    """The service answered a command or an action with an ``error`` message."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        request_id: str | None = None,
        game_id: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable
        self.request_id = request_id
        self.game_id = game_id

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> LiveError:
        error = body.get("error")
        detail = error if isinstance(error, dict) else {}
        return cls(
            str(detail.get("code") or "error"),
            str(detail.get("message") or "the service sent an error without a message"),
            retryable=bool(detail.get("retryable", False)),
            request_id=_str_or_none(body.get("request_id")),
            game_id=_str_or_none(body.get("game_id")),
        )

    def __repr__(self) -> str:
        return f"LiveError(code={self.code!r}, message={self.message!r})"


class BrokerUnreachable(TransportError):
    """The broker could not be reached, or the connection closed and the client was stopped."""

    code = "broker_unreachable"


class BrokerRefused(TriviaError):
    """The broker refused the CONNECT (``code`` from its reason: ``not_authorized``, ...)."""

    code = "broker_refused"


class OperationRefused(TriviaError):
    """The broker refused a publish or a subscription (its reason code, e.g. not authorized)."""

    code = "operation_refused"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, code=reason)
        self.reason = reason


class InvalidMessage(TriviaError):
    """A message that is not one of the protocol's (not a JSON object with a ``type``)."""

    code = "invalid_message"


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
