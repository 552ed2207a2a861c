"""Hosted-game errors: each one a code of docs/websocket.md ("Error codes").

They extend the project's domain errors, so the one error shape (``error_body``) renders them;
``services.core.ws`` turns them into error frames. The HTTP statuses are the 4xx each one would
be over HTTP (``not_host`` is the 403 of QUALITY.md's "Non-host sends host actions").
"""

from __future__ import annotations

from services.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)


class UnknownAction(ValidationFailed):
    code = "unknown_action"


class TokenExpired(Unauthorized):
    code = "token_expired"


class GameNotFound(NotFound):
    code = "game_not_found"


class JoinCodeNotFound(NotFound):
    code = "join_code_not_found"


class NotOwner(Forbidden):
    code = "not_owner"


class ModeNotHosted(Conflict):
    code = "mode_not_hosted"


class NotHost(Forbidden):
    code = "not_host"


class NotInGame(Forbidden):
    code = "not_in_game"


class InvalidState(Conflict):
    code = "invalid_state"


class NoMoreQuestions(Conflict):
    code = "no_more_questions"


class QuestionNotOpen(Conflict):
    code = "question_not_open"


class DeadlinePassed(Conflict):
    code = "deadline_passed"


class AlreadyAnswered(Conflict):
    code = "already_answered"


class PlayerDisconnected(DomainError):
    """The connection is gone (410 from the management API): the push is dropped."""

    code = "player_disconnected"
    status = 410
