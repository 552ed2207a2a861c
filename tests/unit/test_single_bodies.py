"""Single-player request bodies: points come from the server only (QUALITY.md, "Cheating")."""

from __future__ import annotations

from typing import Any

import pytest

from services.core.errors import ValidationFailed
from services.core.http import validate
from services.single.bodies import GamesQuery, StartPlayBody, SubmitAnswersBody

pytestmark = pytest.mark.unit


def _answers(*items: dict[str, Any]) -> dict[str, Any]:
    return {"answers": list(items)}


def test_answers_body_is_accepted_in_order() -> None:
    body = validate(SubmitAnswersBody, _answers(
        {"question_id": "q2", "answer": "Paris"}, {"question_id": "q1", "answer": ""}
    ))
    assert body.pairs() == (("q2", "Paris"), ("q1", ""))


def test_no_answers_at_all_is_a_valid_submission() -> None:
    assert validate(SubmitAnswersBody, _answers()).pairs() == ()


@pytest.mark.parametrize("field", ["score", "points", "is_correct", "player_id", "correct"])
def test_answer_carrying_a_verdict_or_identity_is_refused(field: str) -> None:
    item = {"question_id": "q1", "answer": "Paris", field: 100 if field != "player_id" else "x"}
    with pytest.raises(ValidationFailed) as refused:
        validate(SubmitAnswersBody, _answers(item))
    assert refused.value.details["problems"][0]["field"] == f"answers.0.{field}"


@pytest.mark.parametrize("field", ["score", "points", "is_correct", "player_id", "ranked"])
def test_body_carrying_a_score_or_identity_is_refused(field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate(SubmitAnswersBody, {**_answers(), field: 100})
    assert refused.value.details["problems"][0]["field"] == field


def test_each_question_may_be_answered_once() -> None:
    with pytest.raises(ValidationFailed, match="at most once"):
        validate(SubmitAnswersBody, _answers(
            {"question_id": "q1", "answer": "Paris"}, {"question_id": "q1", "answer": "Rome"}
        ))


@pytest.mark.parametrize(
    "item",
    [
        {"question_id": "q1", "answer": "x" * 201},
        {"question_id": "q1", "answer": 42},
        {"question_id": "q1", "answer": None},
        {"question_id": "q1"},
        {"answer": "Paris"},
        {"question_id": "", "answer": "Paris"},
        {"question_id": 1, "answer": "Paris"},
    ],
)
def test_malformed_answers_are_refused(item: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        validate(SubmitAnswersBody, _answers(item))


def test_answer_of_200_characters_is_accepted() -> None:
    body = validate(SubmitAnswersBody, _answers({"question_id": "q1", "answer": "x" * 200}))
    assert body.pairs()[0][1] == "x" * 200


def test_more_answers_than_a_quiz_can_have_are_refused() -> None:
    many = [{"question_id": f"q{i}", "answer": "a"} for i in range(101)]
    with pytest.raises(ValidationFailed):
        validate(SubmitAnswersBody, {"answers": many})


def test_start_play_takes_an_empty_object_only() -> None:
    assert validate(StartPlayBody, {}) == StartPlayBody()
    with pytest.raises(ValidationFailed):
        validate(StartPlayBody, {"player_id": "someone-else"})


@pytest.mark.parametrize(
    ("given", "expected"), [({}, None), ({"category": " Science "}, "science")]
)
def test_games_query_category_is_an_optional_slug(
    given: dict[str, str], expected: str | None
) -> None:
    assert validate(GamesQuery, given).category == expected


@pytest.mark.parametrize("query", [{"category": "not a slug"}, {"category": ""},
                                   {"category": "x" * 41}, {"mode": "live"}])
def test_games_query_refuses_bad_categories_and_unknown_parameters(query: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed):
        validate(GamesQuery, query)
