"""Frames in (actions schema, size) and messages out (messages schema, nothing before reveal)."""

from __future__ import annotations

import json

import pytest

from services.core.errors import ValidationFailed
from services.hosted import protocol
from services.hosted.game import GameState, plan_game
from services.hosted.store import RecordedAnswer
from services.quizzes.model import Quiz, QuizInput

pytestmark = pytest.mark.unit

ANSWER = {"action": "answer", "game_id": "g1", "question_id": "q1", "answer": "Rome"}


def test_a_valid_answer_is_accepted() -> None:
    assert protocol.parse_action(json.dumps({**ANSWER, "request_id": "r1"}))["answer"] == "Rome"


@pytest.mark.parametrize("extra", ["score", "points", "is_correct", "player_id", "correct"])
def test_fields_beyond_the_schema_are_refused(extra: str) -> None:
    with pytest.raises(ValidationFailed):
        protocol.parse_action(json.dumps({**ANSWER, extra: 1000}))


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        json.dumps({"game_id": "g1"}),
        json.dumps({"action": "fly"}),
        json.dumps({"action": "game_id"}),
        json.dumps({"action": "request_id", "game_id": "g1"}),
        json.dumps({**ANSWER, "answer": "x" * 201}),
        json.dumps({**ANSWER, "answer": ""}),
        json.dumps({**ANSWER, "question_id": "../etc"}),
        json.dumps({"action": "join_game", "join_code": "ABC"}),
        json.dumps({"action": "resume", "game_id": "g1", "last_seq": -1}),
        json.dumps({**ANSWER, "request_id": "r" * 65}),
    ],
)
def test_invalid_frames_are_refused(frame: str) -> None:
    with pytest.raises(ValidationFailed):
        protocol.parse_action(frame)


def test_valid_json_over_four_kilobytes_is_refused_before_parsing() -> None:
    frame = json.dumps({**ANSWER, "padding": " " * 5000})
    with pytest.raises(ValidationFailed, match="4096"):
        protocol.parse_action(frame)


def test_request_and_game_ids_are_echoed_only_when_well_formed() -> None:
    assert protocol.request_id_of(json.dumps({"request_id": "abc"})) == "abc"
    assert protocol.request_id_of(json.dumps({"request_id": "x" * 65})) is None
    assert protocol.request_id_of("garbage") is None
    assert protocol.game_id_of(json.dumps({"game_id": "g1"})) == "g1"
    assert protocol.game_id_of(json.dumps({"game_id": "<script>"})) is None


def _plan():
    document = QuizInput.model_validate({
        "name": "Capitals", "category": "geo", "mode": "competitive",
        "questions": [
            {"type": "open", "text": "Capital of Italy?", "answer": "Rome",
             "alternatives": ["Roma"], "follow_up": "Since 1871.", "round": 1},
            {"type": "multiple_choice", "text": "Capital of France?",
             "options": ["Paris", "Lyon"], "answer": "Paris", "round": 1},
        ],
    })
    quiz = Quiz(quiz_id="quiz1", owner_id="h", owner_name="host", created_at="t",
                updated_at="t", document=document)
    return plan_game(quiz, game_id="g1", host_id="h", join_code="ABCDEF")


STATE = GameState(stored_status="started", host_id="h", question_index=0, open=True,
                  asked_ms=1, deadline_ms=20_001, now_ms=10, players={"p1": "ann", "p2": "bob"},
                  scores={"p1": 1000, "p2": 0})


def _before_reveal() -> list[dict]:
    plan = _plan()
    question = plan.question(0)
    you = protocol.player("p1", "ann")
    return [
        protocol.message("game_opened", "g1", 1, "req-1", join_code="ABCDEF",
                         quiz=protocol.quiz_summary(plan)),
        protocol.message("joined", "g1", 2, player=you,
                         state=protocol.snapshot(plan, STATE, player_id="p1", answered=False)),
        protocol.message("player_joined", "g1", 3, player=you, players=2),
        protocol.message("game_started", "g1", 4, players=[you]),
        protocol.message("question", "g1", 5, question=question.public(),
                         time_limit_seconds=20, deadline_ms=STATE.deadline_ms),
        protocol.message("answer_accepted", "g1", 6, question_id="q1"),
        protocol.message("answer_progress", "g1", 7, question_id="q1", answered=1, players=2),
        protocol.message("question_closed", "g1", 8, question_id="q1", answered=1),
        protocol.message("scoreboard", "g1", 9, scores=protocol.scores(STATE)),
        protocol.message("resumed", "g1", 10, role="player",
                         state=protocol.snapshot(plan, STATE, player_id="p1", answered=True)),
        protocol.message("resumed", "g1", 11, role="host",
                         state=protocol.snapshot(plan, STATE, player_id=None)),
        protocol.message("player_left", "g1", 12, player=you, players=1),
        protocol.message("game_ended", "g1", 13, scores=protocol.scores(STATE)),
        protocol.error_frame("not_host", "no", request_id="r", game_id="g1"),
        protocol.error_frame("service_unavailable", "down", retryable=True),
    ]


@pytest.mark.parametrize("built", _before_reveal(), ids=lambda m: m["type"])
def test_every_message_is_valid_against_the_schema(built: dict) -> None:
    errors = list(protocol.validator("messages").iter_errors(built))
    assert errors == []


@pytest.mark.parametrize("built", _before_reveal(), ids=lambda m: m["type"])
def test_nothing_before_the_reveal_carries_an_answer(built: dict) -> None:
    text = json.dumps(built)
    for secret in ("Rome", "Roma", "1871", "correct", "alternatives", "follow_up"):
        assert secret not in text


def test_reveal_carries_answers_verdicts_and_follow_ups() -> None:
    plan = _plan()
    answers = [RecordedAnswer(player_id="p1", answer="roma", correct=True, points=987)]
    built = protocol.message("reveal", "g1", 14,
                             questions=[protocol.revealed(plan.question(0), answers)])
    assert list(protocol.validator("messages").iter_errors(built)) == []
    shown = built["questions"][0]
    assert shown["correct_answer"] == "Rome" and shown["alternatives"] == ["Roma"]
    assert shown["answers"][0] == {"player_id": "p1", "answer": "roma", "correct": True,
                                   "points": 987}


def test_a_closed_question_is_not_in_the_snapshot() -> None:
    closed = GameState(stored_status="started", host_id="h", question_index=0, open=False,
                       asked_ms=1, deadline_ms=5, now_ms=10, scores={"p1": 3})
    shown = protocol.snapshot(_plan(), closed, player_id="p1")
    assert shown == {"status": "question_closed", "scores": [
        {"rank": 1, "player_id": "p1", "display_name": "p1", "score": 3}], "your_score": 3}


def test_the_schema_refuses_a_message_with_a_stray_field() -> None:
    built = protocol.message("answer_accepted", "g1", 6, question_id="q1")
    built["correct"] = True
    assert list(protocol.validator("messages").iter_errors(built))
