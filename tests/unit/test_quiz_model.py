"""Every validation rule of PRODUCT.md ("Quizzes") on the quiz document, and what players see."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.core.errors import ValidationFailed
from services.core.http import validate
from services.quizzes.model import MAX_QUESTIONS, Mode, Quiz, QuizInput, public_question
from tests.fixtures.quizzes.support import competitive_document, sample_document

pytestmark = pytest.mark.unit


def multiple_choice(**fields: Any) -> dict[str, Any]:
    question = {"type": "multiple_choice", "text": "Pick one", "options": ["A", "B"], "answer": "A"}
    question.update(fields)
    return question


def open_answer(**fields: Any) -> dict[str, Any]:
    question = {"type": "open", "text": "Say it", "answer": "Rome"}
    question.update(fields)
    return question


def with_questions(*questions: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return sample_document(questions=list(questions), **fields)


def problems(document: dict[str, Any]) -> list[dict[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        validate(QuizInput, document)
    return caught.value.details["problems"]


def refused(document: dict[str, Any], fragment: str) -> None:
    found = problems(document)
    assert any(fragment in problem["problem"] for problem in found), found


def test_a_valid_document_keeps_its_fields_and_defaults() -> None:
    document = validate(QuizInput, sample_document())
    assert document.mode is Mode.SINGLE
    assert document.time_limit_seconds == 25
    assert [question.type for question in document.questions] == ["multiple_choice", "open"]
    minimal = validate(
        QuizInput,
        {"name": "N", "category": "c", "mode": "single", "questions": [open_answer()]},
    )
    assert minimal.time_limit_seconds == 20
    assert minimal.description == ""
    assert minimal.source is None


@pytest.mark.parametrize("count", [2, 3, 4])
def test_multiple_choice_takes_two_to_four_options(count: int) -> None:
    options = ["Red", "Green", "Blue", "Yellow"][:count]
    document = validate(QuizInput, with_questions(multiple_choice(options=options, answer="Red")))
    assert document.questions[0].options == options  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "options", [["Red"], ["Red", "Green", "Blue", "Yellow", "Black"], []]
)
def test_multiple_choice_refuses_fewer_than_two_or_more_than_four_options(
    options: list[str],
) -> None:
    problems(with_questions(multiple_choice(options=options, answer="Red")))


def test_multiple_choice_needs_its_answer_among_the_options() -> None:
    refused(
        with_questions(multiple_choice(options=["A", "B"], answer="C")),
        "answer must be exactly one of the options",
    )


def test_multiple_choice_answer_matches_an_option_after_normalisation() -> None:
    document = validate(
        QuizInput, with_questions(multiple_choice(options=["Paris", "Rome"], answer=" paris "))
    )
    assert document.questions[0].answer == "paris"


@pytest.mark.parametrize(
    "options", [["Paris", "Paris"], ["Paris", "paris"], ["Paris", "Paris!"], ["Café", "cafe"]]
)
def test_multiple_choice_options_must_be_distinct_after_normalisation(
    options: list[str],
) -> None:
    refused(
        with_questions(multiple_choice(options=options, answer=options[0])),
        "options must be distinct",
    )


def test_open_answer_takes_alternatives_and_defaults_to_none() -> None:
    document = validate(
        QuizInput,
        with_questions(open_answer(alternatives=["Roma"]), open_answer(answer="Oslo")),
    )
    assert document.questions[0].alternatives == ["Roma"]  # type: ignore[union-attr]
    assert document.questions[1].alternatives == []  # type: ignore[union-attr]


@pytest.mark.parametrize("answer", ["", "   ", "?!", "..."])
def test_open_answer_needs_a_matchable_answer(answer: str) -> None:
    problems(with_questions(open_answer(answer=answer)))


def test_open_answer_refuses_more_than_ten_alternatives() -> None:
    problems(with_questions(open_answer(alternatives=[f"alt {i}" for i in range(11)])))


def test_open_answer_refuses_options() -> None:
    refused(with_questions(open_answer(options=["A", "B"])), "Extra inputs are not permitted")


def test_competitive_quizzes_need_a_round_on_every_question() -> None:
    assert validate(QuizInput, competitive_document()).mode is Mode.COMPETITIVE
    document = competitive_document()
    del document["questions"][1]["round"]
    refused(document, "every question of a competitive quiz needs a round")


@pytest.mark.parametrize("mode", ["single", "casual", "live"])
def test_other_modes_do_not_need_rounds(mode: str) -> None:
    assert validate(QuizInput, sample_document(mode=mode)).mode == mode


@pytest.mark.parametrize("round_number", [0, 21, -1])
def test_rounds_are_between_1_and_20(round_number: int) -> None:
    problems(with_questions(open_answer(round=round_number)))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", "n" * 101),
        ("description", "d" * 501),
        ("time_limit_seconds", 4),
        ("time_limit_seconds", 121),
        ("questions", []),
        ("questions", [open_answer()] * (MAX_QUESTIONS + 1)),
    ],
)
def test_document_sizes_are_bounded(field: str, value: Any) -> None:
    found = problems(sample_document(**{field: value}))
    assert found[0]["field"].startswith(field)


def test_the_largest_allowed_sizes_are_accepted() -> None:
    document = sample_document(
        name="n" * 100,
        description="d" * 500,
        time_limit_seconds=120,
        questions=[open_answer(text="t" * 500, answer=f"a{i}") for i in range(MAX_QUESTIONS)],
    )
    assert len(validate(QuizInput, document).questions) == MAX_QUESTIONS


@pytest.mark.parametrize(
    "question",
    [
        multiple_choice(text="t" * 501),
        multiple_choice(options=["o" * 201, "B"], answer="B"),
        open_answer(answer="a" * 201),
        open_answer(alternatives=["a" * 201]),
        open_answer(follow_up="f" * 501),
        open_answer(time_limit_seconds=200),
    ],
)
def test_question_sizes_are_bounded(question: dict[str, Any]) -> None:
    assert problems(with_questions(question))[0]["field"].startswith("questions.0")


@pytest.mark.parametrize(
    "document",
    [
        sample_document(owner_id="someone-else"),
        sample_document(active=True),
        with_questions(multiple_choice(points=1000)),
        with_questions(open_answer(is_correct=True)),
        sample_document(source={"name": "Me", "secret": "x"}),
    ],
)
def test_unknown_fields_are_refused_everywhere(document: dict[str, Any]) -> None:
    refused(document, "Extra inputs are not permitted")


@pytest.mark.parametrize(
    "category", ["Science & Nature", "", "-science", "sci_ence", "c" * 41, "naïve", 7]
)
def test_bad_categories_are_refused(category: Any) -> None:
    assert problems(sample_document(category=category))[0]["field"] == "category"


def test_categories_are_trimmed_and_lowercased() -> None:
    assert validate(QuizInput, sample_document(category="  Pop-Music ")).category == "pop-music"


@pytest.mark.parametrize(
    ("field", "value"),
    [("mode", "solo"), ("mode", None), ("name", 5), ("questions", {"0": {}})],
)
def test_wrong_types_and_values_are_refused(field: str, value: Any) -> None:
    assert problems(sample_document(**{field: value}))[0]["field"].startswith(field)


def test_unknown_question_types_are_refused() -> None:
    problems(with_questions({"type": "essay", "text": "Discuss", "answer": "Yes"}))


def test_missing_fields_are_refused() -> None:
    document = sample_document()
    del document["mode"]
    assert problems(document)[0]["field"] == "mode"


def stored(document: dict[str, Any]) -> Quiz:
    return Quiz(
        quiz_id="q-1",
        owner_id="owner",
        owner_name="ada",
        created_at="2030-01-01T00:00:00.000000Z",
        updated_at="2030-01-01T00:00:00.000000Z",
        document=validate(QuizInput, document),
    )


FORBIDDEN = {"answer", "alternatives", "follow_up"}


def test_public_questions_carry_no_answers_alternatives_or_follow_ups() -> None:
    quiz = stored(competitive_document())
    shown = quiz.public_questions()
    assert [question["question_id"] for question in shown] == ["q1", "q2"]
    assert all(FORBIDDEN.isdisjoint(question) for question in shown)
    assert shown[0]["options"] == ["Lyon", "Marseille", "Paris"]
    assert shown[1] == {
        "question_id": "q2",
        "type": "open",
        "text": "What is the capital of Italy?",
        "time_limit_seconds": 30,
        "round": 2,
    }
    assert "Roma" not in json.dumps(shown) and "Rome" not in json.dumps(shown)


_answers = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=20)
_texts = st.text(alphabet=string.ascii_lowercase + " ?", min_size=1, max_size=60).filter(
    str.strip
)


@given(
    st.lists(
        st.tuples(_texts, _answers, st.lists(_answers, max_size=3), st.none() | _answers),
        min_size=1,
        max_size=8,
    )
)
def test_no_open_answer_alternative_or_follow_up_reaches_players(
    questions: list[tuple[str, str, list[str], str | None]],
) -> None:
    document = with_questions(
        *(
            open_answer(text=text, answer=answer, alternatives=alternatives, follow_up=follow_up)
            for text, answer, alternatives, follow_up in questions
        )
    )
    quiz = stored(document)
    shown = json.dumps(quiz.public_questions())
    for _, answer, alternatives, follow_up in questions:
        for secret in (answer, *alternatives, follow_up or answer):
            assert secret not in shown
    assert [public_question(f"q{i + 1}", q) for i, q in enumerate(quiz.document.questions)] == (
        quiz.public_questions()
    )
