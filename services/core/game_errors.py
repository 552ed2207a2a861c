"""Error codes both multiplayer modes share, and the store refusals that raise them.

Each is a code of docs/websocket.md and docs/mqtt.md ("Error codes"); a mode's own codes stay
in ``services.hosted.errors`` / ``services.live.errors``, which re-export these so each mode
names its errors in one place. They extend the project's domain errors, so ``error_body``
renders them.
"""

from __future__ import annotations

from services.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.core.redis import Refusals


class UnknownAction(ValidationFailed):
    code = "unknown_action"


class GameNotFound(NotFound):
    code = "game_not_found"


class NotOwner(Forbidden):
    code = "not_owner"


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


# The refusal words both modes' scripts answer with, and the error each one raises.
GAME_REFUSALS: Refusals = {
    "game_not_found": lambda _: GameNotFound("no such game"),
    "invalid_state": lambda detail: InvalidState(f"not possible now ({detail})"),
    "not_in_game": lambda _: NotInGame("you have not joined this game"),
    "question_not_open": lambda _: QuestionNotOpen("that question is not open"),
    "deadline_passed": lambda _: DeadlinePassed("the question's time is up"),
}
