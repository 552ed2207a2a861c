"""Live-game errors: each one a code of docs/mqtt.md ("Error codes"), sent as an inbox ``error``.

The codes both modes share live in ``services.core.game_errors`` and are re-exported here, so
the live game names all its errors from this module. They extend the project's domain errors,
so ``services.core.errors.error_body`` renders them; ``protocol.error_message`` turns any of
them into the inbox message.
"""

from __future__ import annotations

from services.core.errors import Conflict, DomainError
from services.core.game_errors import (
    DeadlinePassed,
    GameNotFound,
    InvalidState,
    NoMoreQuestions,
    NotHost,
    NotInGame,
    NotOwner,
    QuestionNotOpen,
    UnknownAction,
)

__all__ = [
    "DeadlinePassed", "GameNotFound", "InternalError", "InvalidState", "ModeNotLive",
    "NoMoreQuestions", "NotHost", "NotInGame", "NotOwner", "QuestionNotOpen", "UnknownAction",
]


class ModeNotLive(Conflict):
    code = "mode_not_live"


class InternalError(DomainError):
    code = "internal_error"
    status = 500
    retryable = True
