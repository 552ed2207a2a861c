"""SDK exceptions: every failure a caller can handle, each with a stable ``code``.

The API's error body ``{"error": {"code", "message", "details"?, "retryable"?}}`` becomes
``ApiError``; API Gateway's own bodies (``{"message": "Unauthorized"}`` from the JWT authorizer,
throttling, integration failures) carry no code, so one is derived from the status. Cognito's
``__type`` names become ``AuthError`` subclasses at the Cognito adapter; callers never branch on
message text.
"""

from __future__ import annotations

import json
from typing import Any, Self

# Codes for gateway-made errors, which carry only a message: chosen to match the API's own
# codes for the same situations (services/core/errors.py).
_GATEWAY_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "route_not_found",
    413: "payload_too_large",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
_MAX_TEXT_IN_MESSAGE = 200


class TriviaError(Exception):
    """Base of every SDK error: ``code`` is stable, ``message`` is for people."""

    code = "error"
    retryable = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ApiError(TriviaError):
    """The HTTP API answered with an error status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.details = details or {}
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"ApiError(status={self.status}, code={self.code!r}, message={self.message!r})"


class TransportError(TriviaError):
    """The request did not get an answer: connection refused, reset, or timed out."""

    code = "network_error"
    retryable = True


class GameServerError(TriviaError):
    """A game server answered a request with an ``error`` message (a WebSocket frame or an
    MQTT inbox message): ``code`` is the server's own, ``request_id`` ties it to the request."""

    # Said when the error carries no message of its own.
    no_message = "the server sent an error without a message"

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
    def from_body(cls, body: dict[str, Any]) -> Self:
        """From a whole ``{"type": "error", "error": {...}, "request_id", "game_id"}`` body."""
        error = body.get("error")
        detail = error if isinstance(error, dict) else {}
        return cls(
            str(detail.get("code") or "error"),
            str(detail.get("message") or cls.no_message),
            retryable=bool(detail.get("retryable", False)),
            request_id=_str_or_none(body.get("request_id")),
            game_id=_str_or_none(body.get("game_id")),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class NotLoggedIn(TriviaError):
    """A call needs tokens and the client has none."""

    code = "not_logged_in"


class AuthError(TriviaError):
    """Cognito refused a call. ``aws_type`` keeps Cognito's own error name."""

    code = "auth_failed"

    def __init__(self, message: str, *, aws_type: str = "", code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.aws_type = aws_type


class NotAuthorized(AuthError):
    """Wrong password, revoked or expired refresh token, signed-out access token."""

    code = "not_authorized"


class SessionExpired(NotAuthorized):
    """The refresh token no longer works (signed out, revoked or expired): log in again."""

    code = "session_expired"


class UserNotFound(AuthError):
    code = "user_not_found"


class UserNotConfirmed(AuthError):
    code = "user_not_confirmed"


class AuthRateLimited(AuthError):
    code = "rate_limited"
    retryable = True


class ChallengeRequired(AuthError):
    """Cognito asked for a challenge (new password, MFA) that this SDK does not answer."""

    code = "challenge_required"


def api_error_from_response(status: int, body: bytes) -> ApiError:
    """Build the ``ApiError`` for an error response, whatever made its body."""
    parsed = _json_or_none(body)
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        return _from_api_body(status, parsed["error"])
    if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
        return _from_gateway(status, parsed["message"])
    text = body.decode("utf-8", errors="replace").strip()[:_MAX_TEXT_IN_MESSAGE]
    return _from_gateway(status, text or f"HTTP {status}")


def _from_api_body(status: int, error: dict[str, Any]) -> ApiError:
    details = error.get("details")
    return ApiError(
        status=status,
        code=str(error.get("code") or _gateway_code(status)),
        message=str(error.get("message") or f"HTTP {status}"),
        details=details if isinstance(details, dict) else None,
        retryable=bool(error.get("retryable", False)),
    )


def _from_gateway(status: int, message: str) -> ApiError:
    return ApiError(
        status=status,
        code=_gateway_code(status),
        message=message,
        retryable=status in _RETRYABLE_STATUSES,
    )


def _gateway_code(status: int) -> str:
    return _GATEWAY_CODES.get(status, f"http_{status}")


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
