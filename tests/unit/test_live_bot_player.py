"""The live-game player brain, scripted through ``feed()``: no sockets, no clocks."""

from __future__ import annotations

import random
from typing import Any

import pytest

from clients.bots.live import Reconnected, Send, SendFailed, Watch, Watching
from clients.bots.live_player import LivePlayer, PlayerSettings
from clients.bots.seat import Begin, Done, Idle, Received, SetTimer, TimerFired
from clients.sdk.mqtt_messages import LiveMessage

pytestmark = pytest.mark.unit

GAME = "g1"
ME = "player-me"
OTHER = "player-other"
EVENTS = f"trivia/live/games/{GAME}/events"
INBOX = f"trivia/live/players/{ME}/inbox"
Q1 = {
    "question_id": "q1",
    "index": 0,
    "type": "multiple_choice",
    "text": "Red planet?",
    "options": ["Venus", "Mars", "Jupiter"],
}
Q2 = {"question_id": "q2", "index": 1, "type": "open", "text": "Symbol of gold?"}
KNOWLEDGE = {"q1": "Mars", "q2": "Au"}


def broadcast(kind: str, seq: int, game_id: str = GAME, **fields: Any) -> Received:
    body = {"type": kind, "game_id": game_id, "seq": seq, **fields}
    return Received(LiveMessage.from_body(f"trivia/live/games/{game_id}/events", body))


def inbox(kind: str, **fields: Any) -> Received:
    return Received(LiveMessage.from_body(INBOX, {"type": kind, "game_id": GAME, **fields}))


def question(seq: int, data: dict[str, Any]) -> Received:
    return broadcast("question", seq, question=data, time_limit_seconds=20, deadline_ms=1)


def winner(seq: int, question_id: str, player_id: str, score: int = 1) -> Received:
    line = {"rank": 1, "player_id": player_id, "display_name": player_id, "score": score}
    who = {"player_id": player_id, "display_name": player_id}
    return broadcast(
        "winner", seq, question_id=question_id, winner=who, correct_answer="x", scores=[line]
    )


def error(code: str, request_id: str, retryable: bool = False) -> Received:
    detail = {"code": code, "message": code, "retryable": retryable}
    return inbox("error", request_id=request_id, error=detail)


def bot(accuracy: float = 1.0, seed: int = 7, **settings: Any) -> LivePlayer:
    chosen = PlayerSettings(accuracy=accuracy, think_seconds=(0.1, 0.2), **settings)
    return LivePlayer(chosen, random.Random(seed), GAME, ME, KNOWLEDGE)


def joined_bot(**settings: Any) -> LivePlayer:
    player = bot(**settings)
    assert player.feed(Begin()) == [Watch(GAME)]
    [join] = player.feed(Watching(GAME))
    assert isinstance(join, Send) and (join.topic, join.action) == ("action", "join_game")
    assert join.fields == {"game_id": GAME}
    assert player.feed(inbox("joined", request_id=join.request_id, scores=[], status="lobby")) == []
    return player


def answer_of(actions: list[Any]) -> Send:
    [send] = actions
    assert isinstance(send, Send) and send.action == "answer"
    return send


def test_a_scripted_game_answers_records_verdicts_and_finishes() -> None:
    player = joined_bot()
    assert player.feed(broadcast("game_started", 2, players=2)) == []
    [think] = player.feed(question(3, Q1))
    assert isinstance(think, SetTimer) and 0.1 <= think.seconds <= 0.2
    send = answer_of(player.feed(TimerFired(think.tag)))
    assert send.fields == {"game_id": GAME, "question_id": "q1", "answer": "Mars"}
    player.feed(inbox("verdict", question_id="q1", verdict="correct", correct_answer="Mars"))
    player.feed(winner(4, "q1", ME))
    [think] = player.feed(question(5, Q2))
    assert answer_of(player.feed(TimerFired(think.tag))).fields["answer"] == "Au"
    player.feed(inbox("verdict", question_id="q2", verdict="not_first", correct_answer="Au"))
    player.feed(winner(6, "q2", OTHER))
    final = [
        {"rank": 1, "player_id": ME, "display_name": "me", "score": 1},
        {"rank": 1, "player_id": OTHER, "display_name": "o", "score": 1},
    ]
    assert player.feed(broadcast("game_ended", 7, scores=final)) == [Done()]
    assert player.verdicts == {"q1": "correct", "q2": "not_first"}
    assert player.winners == {"q1": ME, "q2": OTHER}
    assert (player.score, player.final_scores) == (1, final)
    assert player.errors == [] and player.late == {}


def test_stale_and_duplicate_broadcasts_are_ignored() -> None:
    player = joined_bot()
    [think] = player.feed(question(3, Q1))
    assert player.feed(question(3, Q1)) == []  # a QoS 1 duplicate
    assert player.feed(question(2, Q2)) == []  # overtaken by a newer broadcast
    assert player.last_seq == 3
    answer_of(player.feed(TimerFired(think.tag)))
    player.feed(winner(4, "q1", OTHER))
    assert player.feed(winner(4, "q1", ME)) == []
    assert player.winners == {"q1": OTHER}
    assert player.feed(broadcast("game_ended", 4, scores=[])) == []
    assert player.done is None


def test_messages_of_another_game_are_not_acted_on() -> None:
    player = joined_bot()
    assert player.feed(broadcast("question", 9, game_id="g2", question=Q1)) == []
    assert player.last_seq == 0
    assert player.feed(broadcast("game_ended", 10, game_id="g2", scores=[])) == []
    assert player.done is None


def test_no_answer_once_someone_won_while_thinking() -> None:
    player = joined_bot()
    [think] = player.feed(question(3, Q1))
    player.feed(winner(4, "q1", OTHER))
    assert player.feed(TimerFired(think.tag)) == []
    assert player.sent == set()


def test_answer_after_winner_when_asked_to() -> None:
    player = joined_bot(answer_after_winner=True)
    [think] = player.feed(question(3, Q1))
    player.feed(winner(4, "q1", OTHER))
    assert answer_of(player.feed(TimerFired(think.tag))).fields["question_id"] == "q1"


def test_a_closed_question_is_not_answered() -> None:
    player = joined_bot()
    [think] = player.feed(question(3, Q1))
    closed = broadcast("question_ended", 4, question_id="q1", winner=None, correct_answer="Mars")
    assert player.feed(closed) == []
    assert player.feed(TimerFired(think.tag)) == []
    assert player.winners == {"q1": None}


def test_a_late_answer_is_recorded_not_counted_as_an_error() -> None:
    player = joined_bot()
    [think] = player.feed(question(3, Q1))
    send = answer_of(player.feed(TimerFired(think.tag)))
    assert player.feed(error("question_not_open", send.request_id)) == []
    assert player.late == {"q1": "question_not_open"}
    assert player.errors == []


def test_a_retryable_error_resends_the_same_answer() -> None:
    player = joined_bot(accuracy=0.0)
    [think] = player.feed(question(3, Q1))
    first = answer_of(player.feed(TimerFired(think.tag)))
    [pause] = player.feed(error("service_unavailable", first.request_id, retryable=True))
    assert isinstance(pause, SetTimer) and pause.tag == think.tag
    again = answer_of(player.feed(TimerFired(pause.tag)))
    assert again.fields == first.fields and again.request_id != first.request_id
    assert first.fields["answer"] in ("Venus", "Jupiter")  # accuracy 0: really wrong


def test_a_failed_publish_is_retried_then_counted() -> None:
    player = joined_bot(max_retries=1)
    [think] = player.feed(question(3, Q1))
    first = answer_of(player.feed(TimerFired(think.tag)))
    [pause] = player.feed(SendFailed(first.request_id, "timeout"))
    second = answer_of(player.feed(TimerFired(pause.tag)))
    assert player.feed(SendFailed(second.request_id, "timeout")) == []
    assert player.errors == [("timeout", "q1: ")]


def test_a_refused_join_ends_the_bot() -> None:
    player = bot()
    player.feed(Begin())
    [join] = player.feed(Watching(GAME))
    assert player.feed(error("game_not_found", join.request_id)) == [
        Done("join:game_not_found", "game_not_found")
    ]


def test_after_a_reconnect_it_joins_again_and_answers_the_open_question_once() -> None:
    player = joined_bot()
    [think] = player.feed(question(3, Q1))
    [join] = player.feed(Reconnected())
    assert join.action == "join_game"
    snapshot = {"question": Q1, "time_limit_seconds": 20, "deadline_ms": 1}
    [now] = player.feed(
        inbox("joined", request_id=join.request_id, scores=[], question=snapshot, status="started")
    )
    assert isinstance(now, SetTimer) and now.seconds == 0.0
    send = answer_of(player.feed(TimerFired(now.tag)))
    assert send.fields["answer"] == "Mars"
    assert player.feed(TimerFired(think.tag)) == []  # the first timer finds it answered


def test_a_late_joiner_gets_the_open_question() -> None:
    player = bot()
    player.feed(Begin())
    [join] = player.feed(Watching(GAME))
    snapshot = {"question": Q2, "time_limit_seconds": 20, "deadline_ms": 1}
    line = {"rank": 1, "player_id": OTHER, "display_name": "o", "score": 2}
    [think] = player.feed(
        inbox(
            "joined", request_id=join.request_id, scores=[line], question=snapshot, status="started"
        )
    )
    assert answer_of(player.feed(TimerFired(think.tag))).fields["question_id"] == "q2"
    assert player.score == 0  # not among the players with points: 0


def test_an_unknown_answer_is_a_guess_and_the_seed_replays_it() -> None:
    def guesses(seed: int) -> list[str]:
        player = LivePlayer(PlayerSettings(), random.Random(seed), GAME, ME, knowledge={})
        player.feed(Begin())
        player.feed(Watching(GAME))
        [think] = player.feed(question(1, Q1))
        send = answer_of(player.feed(TimerFired(think.tag)))
        return [str(send.fields["answer"]), str(think.seconds)]

    assert guesses(3) == guesses(3)
    assert guesses(3)[0] in Q1["options"]
    assert LivePlayer(PlayerSettings(), random.Random(1), GAME, ME).intended_right("q1") is None


def test_idle_ends_the_bot_and_nothing_happens_after_done() -> None:
    player = joined_bot()
    assert player.feed(Idle(30)) == [Done("stalled", "no message for 30 s")]
    assert player.feed(question(3, Q1)) == []
