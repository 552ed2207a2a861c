"""Request bodies and query strings of the single-player routes, validated strictly.

Unknown fields are refused, so a body carrying ``score``, ``points``, ``is_correct`` or a
``player_id`` never reaches a use case: points come from the server only.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.quizzes.model import MAX_QUESTIONS, Category

MAX_ANSWER_LENGTH = 200

QuestionId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
AnswerText = Annotated[str, StringConstraints(max_length=MAX_ANSWER_LENGTH)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class StartPlayBody(_Strict):
    """``POST /games/single/{quiz_id}/plays`` takes no body, or ``{}``."""


class GivenAnswer(_Strict):
    question_id: QuestionId
    answer: AnswerText


class SubmitAnswersBody(_Strict):
    answers: list[GivenAnswer] = Field(max_length=MAX_QUESTIONS)

    @model_validator(mode="after")
    def _each_question_at_most_once(self) -> SubmitAnswersBody:
        ids = [given.question_id for given in self.answers]
        if len(ids) != len(set(ids)):
            raise ValueError("each question may be answered at most once")
        return self

    def pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((given.question_id, given.answer) for given in self.answers)


class GamesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category | None = None
