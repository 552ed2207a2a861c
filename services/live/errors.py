"""Live-game errors: each one a code of docs/mqtt.md ("Error codes"), sent as an inbox ``error``.

They extend the project's domain errors, so ``services.core.errors.error_body`` renders them;
``protocol.error_message`` turns any of them into the inbox message.
"""

from __future__ import annotations

from services.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed


class UnknownAction(ValidationFailed):
    code = "unknown_action"


class GameNotFound(NotFound):
    code = "game_not_found"


class NotOwner(Forbidden):
    code = "not_owner"


class ModeNotLive(Conflict):
    code = "mode_not_live"


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


class InternalError(DomainError):
    code = "internal_error"
    status = 500
    retryable = True
