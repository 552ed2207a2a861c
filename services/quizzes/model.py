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

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.quizzes.normalize import normalize_answer

MAX_QUESTIONS = 100
DEFAULT_TIME_LIMIT_SECONDS = 20

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Category = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
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
