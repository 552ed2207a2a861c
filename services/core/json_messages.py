"""JSON messages both game transports receive (WebSocket frames, MQTT messages): a bounded
JSON object, then checked against its schema branch. Every failure is ``ValidationFailed``
with a message a player can act on."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from services.core.errors import ValidationFailed

MAX_ERROR_TEXT = 300


def decode_object(raw: bytes, *, max_bytes: int, noun: str) -> dict[str, Any]:
    """``raw`` as a JSON object of at most ``max_bytes``; ``noun`` names it in errors."""
    if len(raw) > max_bytes:
        raise ValidationFailed(f"a {noun} is at most {max_bytes} bytes")
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(f"a {noun} must be a JSON object") from None
    if not isinstance(message, dict):
        raise ValidationFailed(f"a {noun} must be a JSON object with an action")
    return message


def check_branch(validator: Draft202012Validator, message: dict[str, Any], name: str) -> None:
    """The first schema error (by path) of ``message``, the ``name`` action, if any."""
    errors = sorted(validator.iter_errors(message), key=lambda error: list(error.path))
    if errors:
        raise ValidationFailed(f"invalid {name}: {errors[0].message}"[:MAX_ERROR_TEXT])


def error_message(code: str, text: str, *, retryable: bool = False,
                  request_id: str | None = None, game_id: str | None = None) -> dict[str, Any]:
    """The error both transports send (a WebSocket error frame, an MQTT inbox ``error``)."""
    error: dict[str, Any] = {"code": code, "message": text}
    if retryable:
        error["retryable"] = True
    message: dict[str, Any] = {"type": "error", "error": error}
    if request_id:
        message["request_id"] = request_id
    if game_id:
        message["game_id"] = game_id
    return message
