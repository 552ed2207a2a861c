"""Hosted-game errors: each one a code of docs/websocket.md ("Error codes").

The codes both modes share live in ``services.core.game_errors`` and are re-exported here, so
the hosted game names all its errors from this module. They extend the project's domain errors,
so the one error shape (``error_body``) renders them; ``services.core.ws`` turns them into error
frames. The HTTP statuses are the 4xx each one would be over HTTP (``not_host`` is the 403 of
QUALITY.md's "Non-host sends host actions").
"""

from __future__ import annotations

from services.core.errors import Conflict, DomainError, NotFound, Unauthorized
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
    "AlreadyAnswered", "DeadlinePassed", "GameNotFound", "InvalidState", "JoinCodeNotFound",
    "ModeNotHosted", "NoMoreQuestions", "NotHost", "NotInGame", "NotOwner",
    "PlayerDisconnected", "QuestionNotOpen", "TokenExpired", "UnknownAction",
]


class TokenExpired(Unauthorized):
    code = "token_expired"


class JoinCodeNotFound(NotFound):
    code = "join_code_not_found"


class ModeNotHosted(Conflict):
    code = "mode_not_hosted"


class AlreadyAnswered(Conflict):
    code = "already_answered"


class PlayerDisconnected(DomainError):
    """The connection is gone (410 from the management API): the push is dropped."""

    code = "player_disconnected"
    status = 410
