"""The game plan (quiz snapshot in play order) and the state machine seen from the clock."""

from __future__ import annotations

import pytest

from services.hosted.game import GamePlan, GameState, Status, plan_game
from services.quizzes.model import Quiz, QuizInput

pytestmark = pytest.mark.unit


def _quiz(mode: str, questions: list[dict]) -> Quiz:
    document = QuizInput.model_validate({
        "name": "Capitals", "category": "geo", "mode": mode, "time_limit_seconds": 15,
        "questions": questions,
    })
    return Quiz(quiz_id="quiz1", owner_id="host", owner_name="hoster", created_at="t",
                updated_at="t", document=document)


OPEN = {"type": "open", "text": "Capital of Italy?", "answer": "Rome", "alternatives": ["Roma"],
        "follow_up": "Since 1871."}
CHOICE = {"type": "multiple_choice", "text": "Capital of France?",
          "options": ["Paris", "Lyon"], "answer": "Paris", "time_limit_seconds": 30}


def test_casual_plan_keeps_the_quiz_order_and_time_limits() -> None:
    plan = plan_game(_quiz("casual", [OPEN, CHOICE]), game_id="g1", host_id="host",
                     join_code="ABCDEF")
    assert [q.question_id for q in plan.questions] == ["q1", "q2"]
    assert [q.time_limit_seconds for q in plan.questions] == [15, 30]
    assert plan.rounds == 0
    assert plan.ends_round(0) and plan.round_of(1) == [plan.questions[1]]


def test_competitive_plan_groups_questions_by_round() -> None:
    questions = [{**OPEN, "round": 2}, {**CHOICE, "round": 1}, {**OPEN, "text": "x?", "round": 1}]
    plan = plan_game(_quiz("competitive", questions), game_id="g1", host_id="host",
                     join_code="ABCDEF")
    assert [(q.question_id, q.round) for q in plan.questions] == [
        ("q2", 1), ("q3", 1), ("q1", 2)]
    assert plan.rounds == 2
    assert not plan.ends_round(0) and plan.ends_round(1) and plan.ends_round(2)
    assert [q.question_id for q in plan.round_of(0)] == ["q2", "q3"]


def test_public_question_carries_nothing_derived_from_the_answer() -> None:
    plan = plan_game(_quiz("casual", [OPEN, CHOICE]), game_id="g1", host_id="host",
                     join_code="ABCDEF")
    for question in plan.questions:
        shown = question.public()
        assert set(shown) <= {"question_id", "index", "type", "text", "options", "round"}
        assert "Rome" not in str(shown) and "Roma" not in str(shown)
        assert "1871" not in str(shown)


def test_accepted_answers_are_normalised_and_include_alternatives() -> None:
    plan = plan_game(_quiz("casual", [OPEN]), game_id="g1", host_id="host", join_code="X")
    assert plan.questions[0].accepted() == ["roma", "rome"]


def test_plan_survives_its_json_form() -> None:
    plan = plan_game(_quiz("casual", [OPEN, CHOICE]), game_id="g1", host_id="host",
                     join_code="ABCDEF")
    assert GamePlan.from_json(plan.to_json()) == plan


def _state(**changes: object) -> GameState:
    base: dict = dict(stored_status="started", host_id="h", question_index=0, open=True,
                      asked_ms=1_000, deadline_ms=21_000, now_ms=5_000)
    base.update(changes)
    return GameState(**base)


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"stored_status": "lobby", "question_index": -1, "open": False}, Status.LOBBY),
        ({"question_index": -1, "open": False}, Status.STARTED),
        ({}, Status.QUESTION_OPEN),
        ({"now_ms": 21_000}, Status.QUESTION_OPEN),  # the deadline itself still counts
        ({"now_ms": 21_001}, Status.QUESTION_CLOSED),  # past the deadline: closed by the clock
        ({"open": False}, Status.QUESTION_CLOSED),  # closed early by the host
        ({"stored_status": "ended", "open": False}, Status.ENDED),
    ],
)
def test_status_follows_the_server_clock(changes: dict, status: Status) -> None:
    assert _state(**changes).status is status


def test_ranking_shares_ranks_on_equal_scores() -> None:
    state = _state(scores={"a": 900, "b": 1500, "c": 900, "d": 0})
    assert state.ranking() == [(1, "b", 1500), (2, "a", 900), (2, "c", 900), (4, "d", 0)]
