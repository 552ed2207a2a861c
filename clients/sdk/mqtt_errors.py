"""Errors of the live-game MQTT client, each with a stable ``code`` like the HTTP SDK's.

``LiveError`` is an ``error`` message on the player's inbox: its ``code`` is the server's own
(docs/mqtt.md). The others are about the connection to the broker itself.
"""

from __future__ import annotations

from clients.sdk.errors import GameServerError, TransportError, TriviaError


class LiveError(GameServerError):
    """The service answered a command or an action with an ``error`` message."""

    no_message = "the service sent an error without a message"


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
