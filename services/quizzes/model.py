"""The quiz document: what authors write, import and export, and what the server stores.

Validation rules (PRODUCT.md, "Quizzes"): multiple choice has 2 to 4 distinct options with
exactly one correct (``answer`` is one of ``options``); open answer has a correct answer and
optional accepted alternatives; competitive quizzes put every question in a round. Sizes are
bounded so that one quiz always fits one DynamoDB item and one request body.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.quizzes.normalize import normalize_answer

MAX_QUESTIONS = 100
DEFAULT_TIME_LIMIT_SECONDS = 20

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Category = Annotated[
    str,
    BeforeValidator(lambda value: value.strip().lower() if isinstance(value, str) else value),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$"),
]
TimeLimit = Annotated[int, Field(ge=5, le=120)]


class Mode(StrEnum):
    SINGLE = "single"
    CASUAL = "casual"
    COMPETITIVE = "competitive"
    LIVE = "live"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MultipleChoice(Strict):
    type: Literal["multiple_choice"]
    text: Text
    options: list[ShortText] = Field(min_length=2, max_length=4)
    answer: ShortText
    follow_up: Text | None = None
    time_limit_seconds: TimeLimit | None = None
    round: Annotated[int, Field(ge=1, le=20)] | None = None

    @model_validator(mode="after")
    def _one_correct_option(self) -> MultipleChoice:
        normalized = [normalize_answer(option) for option in self.options]
        if len(set(normalized)) != len(normalized):
            raise ValueError("options must be distinct")
        if normalized.count(normalize_answer(self.answer)) != 1:
            raise ValueError("answer must be exactly one of the options")
        return self


class OpenAnswer(Strict):
    type: Literal["open"]
    text: Text
    answer: ShortText
    alternatives: list[ShortText] = Field(default_factory=list, max_length=10)
    follow_up: Text | None = None
    time_limit_seconds: TimeLimit | None = None
    round: Annotated[int, Field(ge=1, le=20)] | None = None

    @model_validator(mode="after")
    def _answer_matchable(self) -> OpenAnswer:
        if not normalize_answer(self.answer):
            raise ValueError("answer must contain letters or digits")
        return self


Question = Annotated[MultipleChoice | OpenAnswer, Field(discriminator="type")]


class Source(Strict):
    name: ShortText
    url: Annotated[str, StringConstraints(max_length=500)] | None = None
    license: ShortText | None = None


class QuizInput(Strict):
    """A quiz as an author writes it: the body of create/update, the project's JSON format."""

    name: Name
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    category: Category
    mode: Mode
    time_limit_seconds: TimeLimit = DEFAULT_TIME_LIMIT_SECONDS
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)
    source: Source | None = None

    @model_validator(mode="after")
    def _rounds_for_competitive(self) -> QuizInput:
        has_round = [q.round is not None for q in self.questions]
        if self.mode is Mode.COMPETITIVE and not all(has_round):
            raise ValueError("every question of a competitive quiz needs a round")
        return self


QUIZ_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Quiz(BaseModel):
    """A stored quiz: the author's document plus what the server owns.

    Question ids are positional (``q1``, ``q2``, ...) and reassigned on edit; a play keeps its
    own snapshot of the questions it was given, so an edit never rescores a play in progress.
    """

    model_config = ConfigDict(frozen=True)

    quiz_id: str
    owner_id: str
    owner_name: str
    created_at: str
    updated_at: str
    active: bool = False
    version: int = 1
    document: QuizInput

    @property
    def question_ids(self) -> list[str]:
        return [question_id(index) for index in range(len(self.document.questions))]

    @property
    def listing(self) -> str | None:
        """The sparse index key that lists an active quiz: ``"<mode>#<category>"``."""
        if not self.active:
            return None
        return listing_key(self.document.mode, self.document.category)

    def public_questions(self) -> list[dict[str, object]]:
        """Questions as players may see them before answering: no answers, no alternatives."""
        return [public_question(question_id(i), q) for i, q in enumerate(self.document.questions)]


def question_id(index: int) -> str:
    return f"q{index + 1}"


def listing_key(mode: Mode | str, category: str) -> str:
    return f"{Mode(mode).value}#{category}"


def public_question(qid: str, question: MultipleChoice | OpenAnswer) -> dict[str, object]:
    shown: dict[str, object] = {"question_id": qid, "type": question.type, "text": question.text}
    if isinstance(question, MultipleChoice):
        shown["options"] = list(question.options)
    if question.time_limit_seconds is not None:
        shown["time_limit_seconds"] = question.time_limit_seconds
    if question.round is not None:
        shown["round"] = question.round
    return shown
