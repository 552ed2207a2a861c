"""The live-game host brain, scripted through ``feed()``: no sockets, no clocks."""

from __future__ import annotations

from typing import Any

import pytest

from clients.bots.live import Announce, Send, SendFailed, Watch, Watching
from clients.bots.live_host import HostSettings, LiveHost
from clients.bots.seat import Begin, Done, Received, SetTimer, TimerFired
from clients.sdk.mqtt_messages import LiveMessage

pytestmark = pytest.mark.unit

GAME = "g1"
HOST = "host-me"
QUIZ = "quiz-1"
INBOX = f"trivia/live/players/{HOST}/inbox"


def broadcast(kind: str, seq: int, **fields: Any) -> Received:
    body = {"type": kind, "game_id": GAME, "seq": seq, **fields}
    return Received(LiveMessage.from_body(f"trivia/live/games/{GAME}/events", body))


def inbox(kind: str, game_id: str | None = GAME, **fields: Any) -> Received:
    body = {"type": kind, **fields}
    if game_id is not None:
        body["game_id"] = game_id
    return Received(LiveMessage.from_body(INBOX, body))


def question(seq: int, question_id: str, limit: int = 20) -> Received:
    data = {"question_id": question_id, "index": 0, "type": "open", "text": "?"}
    return broadcast("question", seq, question=data, time_limit_seconds=limit, deadline_ms=1)


def winner(seq: int, question_id: str, player_id: str) -> Received:
    line = {"rank": 1, "player_id": player_id, "display_name": player_id, "score": 1}
    who = {"player_id": player_id, "display_name": player_id}
    return broadcast(
        "winner", seq, question_id=question_id, winner=who, correct_answer="x", scores=[line]
    )


def step(actions: list[Any], action: str) -> Send:
    """The command of a step, and its reply timeout."""
    send, timeout = actions
    assert isinstance(send, Send) and (send.topic, send.action) == ("command", action)
    assert isinstance(timeout, SetTimer) and timeout.tag == f"step:{send.request_id}"
    return send


def opened(players: int = 2, questions: int = 2, **settings: Any) -> LiveHost:
    host = LiveHost(HostSettings(players=players, **settings), QUIZ)
    send = step(host.feed(Begin()), "open_game")
    assert send.fields == {"quiz_id": QUIZ}
    quiz = {"name": "Demo", "question_count": questions}
    assert host.feed(inbox("game_opened", request_id=send.request_id, quiz=quiz)) == [Watch(GAME)]
    announce, lobby = host.feed(Watching(GAME))
    assert announce == Announce(GAME) and lobby == SetTimer(60.0, "lobby")
    return host


def started(players: int = 2, questions: int = 2, **settings: Any) -> LiveHost:
    host = opened(players, questions, **settings)
    player = {"player_id": "p1", "display_name": "p1"}
    assert host.feed(broadcast("player_joined", 1, player=player, players=1)) == []
    start = step(host.feed(broadcast("player_joined", 2, player=player, players=2)), "start_game")
    assert start.fields == {"game_id": GAME}
    step(host.feed(broadcast("game_started", 3, players=players)), "next_question")
    return host


def test_a_scripted_game_asks_every_question_and_ends() -> None:
    host = started()
    [deadline] = host.feed(question(4, "q1"))
    assert deadline == SetTimer(20.5, "deadline:q1")
    step(host.feed(winner(5, "q1", "p1")), "next_question")
    host.feed(question(7, "q2"))  # seq 6 was question_ended, lost: seq only has to grow
    step(host.feed(winner(8, "q2", "p2")), "end_game")
    ended = broadcast("question_ended", 9, question_id="q2", winner=None, correct_answer="x")
    assert host.feed(ended) == []
    final = [{"rank": 1, "player_id": "p1", "display_name": "p1", "score": 1}]
    assert host.feed(broadcast("game_ended", 10, scores=final)) == [Done()]
    assert host.asked == ["q1", "q2"]
    assert host.winners == {"q1": "p1", "q2": "p2"}
    assert host.ended == {"q2": None}
    assert host.final_scores == final


def test_a_duplicate_winner_is_counted_once_and_moves_on_once() -> None:
    host = started()
    host.feed(question(4, "q1"))
    step(host.feed(winner(5, "q1", "p1")), "next_question")
    assert host.feed(winner(5, "q1", "p1")) == []
    assert host.feed(winner(4, "q1", "p2")) == []
    assert host.winner_broadcasts == {"q1": 1}
    assert host.winners == {"q1": "p1"}


def test_no_winner_before_the_deadline_moves_on() -> None:
    host = started(questions=1)
    [deadline] = host.feed(question(4, "q1", limit=5))
    step(host.feed(TimerFired(deadline.tag)), "end_game")
    assert host.winners == {}
    assert host.feed(TimerFired(deadline.tag)) == []  # already moving on


def test_a_deadline_of_an_old_question_is_ignored() -> None:
    host = started()
    [first] = host.feed(question(4, "q1"))
    step(host.feed(winner(5, "q1", "p1")), "next_question")
    host.feed(question(6, "q2"))
    assert host.feed(TimerFired(first.tag)) == []


def test_a_pause_after_the_winner_before_the_next_question() -> None:
    host = started(pause_after_winner_seconds=1.5)
    host.feed(question(4, "q1"))
    [pause] = host.feed(winner(5, "q1", "p1"))
    assert pause == SetTimer(1.5, "next:q1")
    step(host.feed(TimerFired("next:q1")), "next_question")


def test_the_lobby_timeout_starts_with_whoever_came() -> None:
    host = opened(players=5)
    player = {"player_id": "p1", "display_name": "p1"}
    host.feed(broadcast("player_joined", 1, player=player, players=1))
    step(host.feed(TimerFired("lobby")), "start_game")


def test_the_lobby_timeout_with_nobody_ends_the_run() -> None:
    host = opened()
    assert host.feed(TimerFired("lobby")) == [
        Done("no_players", "nobody joined before the lobby timeout")
    ]


def test_no_more_questions_ends_the_game() -> None:
    host = started(questions=3)
    host.feed(question(4, "q1"))
    send = step(host.feed(winner(5, "q1", "p1")), "next_question")
    refusal = {"code": "no_more_questions", "message": "done"}
    step(host.feed(inbox("error", request_id=send.request_id, error=refusal)), "end_game")


def test_a_retryable_error_resends_the_step() -> None:
    host = started()
    host.feed(question(4, "q1"))
    send = step(host.feed(winner(5, "q1", "p1")), "next_question")
    refusal = {"code": "service_unavailable", "message": "redis", "retryable": True}
    [pause] = host.feed(inbox("error", request_id=send.request_id, error=refusal))
    assert pause == SetTimer(0.2, f"retry:{send.request_id}")
    again = step(host.feed(TimerFired(pause.tag)), "next_question")
    assert again.request_id != send.request_id and again.fields == send.fields


def test_a_refused_command_ends_the_run_with_its_code() -> None:
    host = LiveHost(HostSettings(players=1), QUIZ)
    send = step(host.feed(Begin()), "open_game")
    refusal = {"code": "mode_not_live", "message": "not a live quiz"}
    assert host.feed(inbox("error", game_id=None, request_id=send.request_id, error=refusal)) == [
        Done("open_game:mode_not_live", "not a live quiz")
    ]


def test_a_step_without_reply_times_out() -> None:
    host = started()
    host.feed(question(4, "q1"))
    send = step(host.feed(winner(5, "q1", "p1")), "next_question")
    [done] = host.feed(TimerFired(f"step:{send.request_id}"))
    assert isinstance(done, Done) and done.error_code == "next_question:timeout"


def test_a_failed_publish_is_retried() -> None:
    host = LiveHost(HostSettings(players=1, max_retries=1), QUIZ)
    send = step(host.feed(Begin()), "open_game")
    [pause] = host.feed(SendFailed(send.request_id, "timeout"))
    again = step(host.feed(TimerFired(pause.tag)), "open_game")
    assert host.feed(SendFailed(again.request_id, "timeout")) == [Done("open_game:timeout", "")]


def test_an_unrelated_error_is_recorded_and_the_game_goes_on() -> None:
    host = started()
    host.feed(question(4, "q1"))
    refusal = {"code": "validation_failed", "message": "?"}
    assert host.feed(inbox("error", request_id="h99", error=refusal)) == []
    assert host.errors == [("validation_failed", "?")]
    assert host.done is None
