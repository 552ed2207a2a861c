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
BOARD = protocol.standings(STATE, {"p1": 1}).board


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
        protocol.message("game_started", "g1", 4, players=2),
        protocol.message("question", "g1", 5, question=question.public(),
                         time_limit_seconds=20, deadline_ms=STATE.deadline_ms),
        protocol.message("answer_accepted", "g1", 6, question_id="q1"),
        protocol.message("answer_progress", "g1", 7, question_id="q1", answered=1, players=2),
        protocol.message("question_closed", "g1", 8, question_id="q1", answered=1),
        protocol.message("scoreboard", "g1", 9, **BOARD),
        protocol.message("scoreboard", "g1", 9, **BOARD,
                         you={"rank": 1, "score": 1000, "correct": 1}),
        protocol.message("resumed", "g1", 10, role="player",
                         state=protocol.snapshot(plan, STATE, player_id="p1", answered=True)),
        protocol.message("resumed", "g1", 11, role="host",
                         state=protocol.snapshot(plan, STATE, player_id=None)),
        protocol.message("player_left", "g1", 12, player=you, players=1),
        protocol.message("game_ended", "g1", 13, **BOARD),
        protocol.message("game_ended", "g1", 13, **BOARD,
                         you={"rank": 2, "score": 0, "correct": 0}),
        protocol.error_frame("not_host", "no", request_id="r", game_id="g1"),
        protocol.error_frame("service_unavailable", "down", retryable=True),
    ]


@pytest.mark.parametrize("built", _before_reveal(), ids=lambda m: m["type"])
def test_every_message_is_valid_against_the_schema(built: dict) -> None:
    errors = list(protocol.validator("messages").iter_errors(built))
    assert errors == []


@pytest.mark.parametrize("built", _before_reveal(), ids=lambda m: m["type"])
def test_nothing_before_the_reveal_carries_an_answer(built: dict) -> None:
    # A player's own count of correct answers (``you``, ``your_correct``) says no more than
    # its score does; no other field may say "correct".
    own = {key: value for key, value in built.items() if key != "you"}
    if isinstance(built.get("state"), dict):
        own["state"] = {k: v for k, v in built["state"].items() if k != "your_correct"}
    text = json.dumps(own)
    for secret in ("Rome", "Roma", "1871", "correct", "alternatives", "follow_up"):
        assert secret not in text


def test_reveal_carries_answers_verdicts_and_follow_ups() -> None:
    plan = _plan()
    answers = [RecordedAnswer(player_id="p1", answer="roma", correct=True, points=987),
               RecordedAnswer(player_id="p2", answer="Milan", correct=False, points=0)]
    shown = protocol.revealed(plan.question(0), answers)
    host_copy = protocol.message("reveal", "g1", 14, questions=[shown.shown])
    player_copy = protocol.message("reveal", "g1", 14,
                                   questions=[{**shown.shown, "yours": shown.yours["p1"]}])
    absent_copy = protocol.message("reveal", "g1", 14,
                                   questions=[{**shown.shown, "yours": shown.yours.get("p3")}])
    for built in (host_copy, player_copy, absent_copy):
        assert list(protocol.validator("messages").iter_errors(built)) == []
    assert shown.shown["correct_answer"] == "Rome" and shown.shown["alternatives"] == ["Roma"]
    assert shown.shown["follow_up"] == "Since 1871."
    assert (shown.shown["answered"], shown.shown["answered_correctly"]) == (2, 1)
    assert shown.yours == {"p1": {"answer": "roma", "correct": True, "points": 987},
                           "p2": {"answer": "Milan", "correct": False, "points": 0}}


def test_a_reveal_counts_answers_by_their_normalised_form_most_common_first() -> None:
    plan = _plan()
    given = ["Roma", "roma ", "ROMA!", "Milan", "milan", "Turin"]
    answers = [RecordedAnswer(player_id=f"p{i}", answer=text, correct=text.lower().startswith(
        "roma"), points=0) for i, text in enumerate(given)]
    assert protocol.revealed(plan.question(0), answers).shown["answers"] == [
        {"answer": "Roma", "count": 3, "correct": True},
        {"answer": "Milan", "count": 2, "correct": False},
        {"answer": "Turin", "count": 1, "correct": False},
    ]


def test_a_reveal_shows_the_ten_most_common_answers_however_many_players() -> None:
    plan = _plan()
    answers = [RecordedAnswer(player_id=f"p{i}", answer=f"city {i % 40}", correct=False,
                              points=0) for i in range(5000)]
    shown = protocol.revealed(plan.question(0), answers).shown
    assert len(shown["answers"]) == protocol.TOP_ANSWERS == 10
    assert sum(group["count"] for group in shown["answers"]) == 10 * 125
    assert shown["answered"] == 5000


def test_standings_give_everyone_the_top_ten_and_each_player_their_own_line() -> None:
    scores = {f"p{i:04d}": (i // 2) * 10 for i in range(5000)}  # pairs tie
    state = GameState(stored_status="started", host_id="h", question_index=0, open=False,
                      asked_ms=1, deadline_ms=5, now_ms=10, scores=scores,
                      players={p: f"name {p}" for p in scores})
    ranked = protocol.standings(state, {"p4999": 3})
    assert ranked.board["players"] == 5000
    assert [line["score"] for line in ranked.board["scores"]] == [
        24990, 24990, 24980, 24980, 24970, 24970, 24960, 24960, 24950, 24950]
    assert [line["rank"] for line in ranked.board["scores"]] == [1, 1, 3, 3, 5, 5, 7, 7, 9, 9]
    assert ranked.lines["p0000"] == {"rank": 4999, "score": 0, "correct": 0}
    assert ranked.lines["p4999"] == {"rank": 1, "score": 24990, "correct": 3}
    # What a player of a 5,000-player game receives stays small (the gateway's limit is 128 KB).
    built = protocol.message("scoreboard", "g1", 9, **ranked.board, you=ranked.lines["p0000"])
    assert len(json.dumps(built)) < 2_000
    assert list(protocol.validator("messages").iter_errors(built)) == []


def test_a_closed_question_is_not_in_the_snapshot() -> None:
    closed = GameState(stored_status="started", host_id="h", question_index=0, open=False,
                       asked_ms=1, deadline_ms=5, now_ms=10, scores={"p1": 3})
    shown = protocol.snapshot(_plan(), closed, player_id="p1", correct=1)
    assert shown == {"status": "question_closed", "scores": [
        {"rank": 1, "player_id": "p1", "display_name": "p1", "score": 3}], "players": 1,
        "your_score": 3, "your_rank": 1, "your_correct": 1}


def test_the_schema_refuses_a_message_with_a_stray_field() -> None:
    built = protocol.message("answer_accepted", "g1", 6, question_id="q1")
    built["correct"] = True
    assert list(protocol.validator("messages").iter_errors(built))
