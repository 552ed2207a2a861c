"""Import and export: the project's JSON format and Open Trivia DB API responses.

Open Trivia DB (https://opentdb.com/api_config.php, default encoding) sends HTML entities in
every text; they are decoded here. ``boolean`` questions become multiple choice with options
``True``/``False``; ``multiple`` options are sorted, so the correct one is not always first and
the same response always imports the same way. Name, category, mode and description come from
the caller. A competitive quiz needs rounds, which Open Trivia DB does not have: imported
questions are grouped in rounds of ``QUESTIONS_PER_ROUND`` in response order.
"""

from __future__ import annotations

import html
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from services.core.errors import ValidationFailed
from services.core.http import validate
from services.quizzes.model import Mode, QuizInput, Strict

OPEN_TRIVIA_DB_SOURCE = {
    "name": "Open Trivia DB",
    "url": "https://opentdb.com",
    "license": "CC BY-SA 4.0",
}
QUESTIONS_PER_ROUND = 5
_RESPONSE_CODES = {
    1: "no results: the query asked for more questions than the category has",
    2: "invalid parameter in the query",
    3: "session token not found",
    4: "session token has returned every question; reset it",
    5: "rate limited: one request per 5 seconds",
}


class _OpenTdbItem(BaseModel):
    # Third-party data: fields Open Trivia DB may add later are ignored, not refused.
    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Literal["multiple", "boolean"]
    question: str
    correct_answer: str
    incorrect_answers: list[str]
    category: str | None = None
    difficulty: str | None = None


class _OpenTdbResponse(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    response_code: int
    results: list[_OpenTdbItem]


class TriviaImport(Strict):
    format: Literal["trivia"]
    document: QuizInput


class OpenTdbImport(Strict):
    format: Literal["opentdb"]
    document: dict[str, Any]
    name: str
    category: str
    mode: Mode
    description: str = ""


ImportFormat = Annotated[TriviaImport | OpenTdbImport, Field(discriminator="format")]


class ImportRequest(RootModel[ImportFormat]):
    """Body of ``POST /quizzes/import`` (docs/http-api.md)."""

    def to_document(self) -> QuizInput:
        request = self.root
        if isinstance(request, TriviaImport):
            return request.document
        return quiz_from_opentdb(
            request.document,
            name=request.name,
            category=request.category,
            mode=request.mode,
            description=request.description,
        )


def export_document(document: QuizInput) -> dict[str, Any]:
    """The project's JSON format; ``POST /quizzes/import`` with ``format: trivia`` takes it back."""
    return document.model_dump(mode="json", exclude_none=True)


def quiz_from_opentdb(
    response: Any, *, name: str, category: str, mode: Mode | str, description: str = ""
) -> QuizInput:
    parsed = validate(_OpenTdbResponse, response)
    if parsed.response_code != 0:
        meaning = _RESPONSE_CODES.get(parsed.response_code, "unknown code")
        raise ValidationFailed(
            f"Open Trivia DB answered response_code {parsed.response_code} ({meaning}); "
            "nothing to import",
            details={"field": "response_code"},
        )
    if not parsed.results:
        raise ValidationFailed(
            "the Open Trivia DB response has no results", details={"field": "results"}
        )
    questions = [_question(index, item) for index, item in enumerate(parsed.results)]
    if mode == Mode.COMPETITIVE:
        for index, question in enumerate(questions):
            question["round"] = index // QUESTIONS_PER_ROUND + 1
    document = {
        "name": name,
        "description": description,
        "category": category,
        "mode": mode,
        "questions": questions,
        "source": OPEN_TRIVIA_DB_SOURCE,
    }
    try:
        return validate(QuizInput, document)
    except ValidationFailed as error:
        raise ValidationFailed(
            f"the Open Trivia DB results do not make a valid quiz ({error.message}); "
            "questions.N is results.N",
            details=error.details,
        ) from None


def _question(index: int, item: _OpenTdbItem) -> dict[str, Any]:
    correct = _text(item.correct_answer)
    if item.type == "boolean":
        if correct not in ("True", "False"):
            raise ValidationFailed(
                f"results.{index}: a boolean question's correct_answer must be True or False",
                details={"field": f"results.{index}.correct_answer"},
            )
        options = ["True", "False"]
    else:
        options = sorted([correct, *map(_text, item.incorrect_answers)], key=_sort_key)
    return {
        "type": "multiple_choice",
        "text": _text(item.question),
        "options": options,
        "answer": correct,
    }


def _text(value: str) -> str:
    return html.unescape(value).strip()


def _sort_key(option: str) -> tuple[str, str]:
    return option.casefold(), option
