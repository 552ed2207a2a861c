"""Domain errors and the one place that maps them to wire formats.

Adapters turn provider errors (botocore ClientError codes, redis exceptions) into these;
handlers never branch on message text. Each error carries a stable machine-readable ``code``
and a human ``message``. ``http_status`` / ``error_body`` render them for the HTTP API; later
transports (WebSocket error frames, MQTT inbox messages) reuse ``error_body``.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base for every error a client may see. Subclasses set ``code`` and ``status``."""

    code = "bad_request"
    status = 400
    retryable = False

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 400


class MalformedJson(DomainError):
    code = "malformed_json"
    status = 400


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    retryable = True


class ServiceUnavailable(DomainError):
    """A dependency failed; the client may retry. Never a silent accept."""

    code = "service_unavailable"
    status = 503
    retryable = True


# Specific errors: named so that use cases read like the rules they enforce.


class QuizNotFound(NotFound):
    code = "quiz_not_found"


class PlayNotFound(NotFound):
    code = "play_not_found"


class RouteNotFound(NotFound):
    code = "route_not_found"


class NotQuizOwner(Forbidden):
    code = "not_quiz_owner"


class QuizNotPlayable(Conflict):
    code = "quiz_not_playable"


class AlreadySubmitted(Conflict):
    code = "already_submitted"


class UsernameTaken(Conflict):
    code = "username_taken"


class WeakPassword(ValidationFailed):
    code = "weak_password"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


def error_body(error: DomainError) -> dict[str, Any]:
    """The one error shape: ``{"error": {"code", "message"[, "details"][, "retryable"]}}``."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = error.details
    if error.retryable:
        body["retryable"] = True
    return {"error": body}


def http_status(error: DomainError) -> int:
    return error.status
