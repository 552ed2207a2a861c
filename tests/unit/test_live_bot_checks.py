"""The live demo's checks, quiz and report, and the shell's scoreboard latency: no network."""

from __future__ import annotations

import random
from typing import Any

import pytest

from clients.bots.demo_single import DemoSettings
from clients.bots.live import Watching
from clients.bots.live_checks import (
    game_problems,
    questions_with_one_winner,
    writer_expectations,
)
from clients.bots.live_host import HostSettings, LiveHost
from clients.bots.live_player import LivePlayer, PlayerSettings
from clients.bots.live_quiz import live_quiz
from clients.bots.seat import Begin, Received, TimerFired
from clients.bots.shells.mqtt_live import ScoreboardLatency
from clients.sdk.mqtt_messages import LiveMessage
from services.quizzes.model import QuizInput

pytestmark = pytest.mark.unit

GAME = "g1"
KEY = {"q1": "4", "q2": "9"}


def broadcast(seq: int, kind: str, **fields: Any) -> Received:
    body = {"type": kind, "game_id": GAME, "seq": seq, **fields}
    return Received(LiveMessage.from_body(f"trivia/live/games/{GAME}/events", body))


def verdict(player: str, question_id: str, value: str) -> Received:
    body = {"type": "verdict", "game_id": GAME, "question_id": question_id, "verdict": value}
    return Received(LiveMessage.from_body(f"trivia/live/players/{player}/inbox", body))


def board(**scores: int) -> list[dict[str, Any]]:
    ordered = sorted(scores.items(), key=lambda item: -item[1])
    return [
        {
            "rank": 1 + sum(1 for s in scores.values() if s > score),
            "player_id": p,
            "display_name": p,
            "score": score,
        }
        for p, score in ordered
    ]


def who(player: str) -> dict[str, str]:
    return {"player_id": player, "display_name": player}


def play(
    winners: dict[str, str], final: dict[str, int], extra_winner: bool = False
) -> tuple[LiveHost, dict[str, LivePlayer]]:
    """Feed a host and two players the same two-question game."""
    host = LiveHost(HostSettings(players=2), "quiz")
    players = {
        name: LivePlayer(PlayerSettings(accuracy=1.0), random.Random(1), GAME, name, KEY)
        for name in ("a", "b")
    }
    [send, _] = host.feed(Begin())
    opened = {
        "type": "game_opened",
        "game_id": GAME,
        "request_id": send.request_id,
        "quiz": {"name": "q", "question_count": 2},
    }
    host.feed(Received(LiveMessage.from_body("trivia/live/players/h/inbox", opened)))
    host.feed(Watching(GAME))
    for player in players.values():
        player.feed(Begin())
        player.feed(Watching(GAME))
    script = [broadcast(1, "game_started", players=2)]
    seq = 2
    for index, question_id in enumerate(("q1", "q2")):
        data = {"question_id": question_id, "index": index, "type": "open", "text": "?"}
        script.append(
            broadcast(seq, "question", question=data, time_limit_seconds=5, deadline_ms=0)
        )
        won = winners[question_id]
        script.append(
            broadcast(
                seq + 1,
                "winner",
                question_id=question_id,
                winner=who(won),
                correct_answer=KEY[question_id],
                scores=[],
            )
        )
        if extra_winner:
            script.append(
                broadcast(
                    seq + 2,
                    "winner",
                    question_id=question_id,
                    winner=who(won),
                    correct_answer="x",
                    scores=[],
                )
            )
        seq += 3
    script.append(broadcast(seq, "game_ended", scores=board(**final)))
    for event in script:
        host.feed(event)
        for name, player in players.items():
            player.feed(event)
            if event.message.type == "question":
                question_id = event.message["question"]["question_id"]
                player.feed(TimerFired(f"answer:{question_id}"))
                value = "correct" if winners[question_id] == name else "not_first"
                player.feed(verdict(name, question_id, value))
    return host, players


def test_a_clean_game_has_no_problems_and_one_winner_per_question() -> None:
    host, players = play({"q1": "a", "q2": "b"}, {"a": 1, "b": 1})
    assert host.done is not None and host.done.ok
    assert questions_with_one_winner(host) == 2
    assert game_problems(host, players) == []
    expected = writer_expectations(host, players)
    assert expected.scores == {"a": 1, "b": 1}
    assert expected.experience == {"a": 10, "b": 10}
    assert expected.wins == {"a": 1, "b": 1}  # a tie at the top: both won
    assert expected.author_experience == 40  # owner and host credits


def test_a_second_winner_broadcast_for_a_question_is_a_problem() -> None:
    host, players = play({"q1": "a", "q2": "a"}, {"a": 2, "b": 0}, extra_winner=True)
    assert questions_with_one_winner(host) == 0
    codes = {code for code, _ in game_problems(host, players)}
    assert "winner_count" in codes
    assert writer_expectations(host, players).wins == {"a": 1, "b": 0}


def test_a_final_scoreboard_that_disagrees_with_the_winners_is_a_problem() -> None:
    host, players = play({"q1": "a", "q2": "a"}, {"a": 1, "b": 1})
    codes = {code for code, _ in game_problems(host, players)}
    assert "score_mismatch" in codes


def test_the_scoreboard_latency_pairs_the_winning_answer_with_each_receipt() -> None:
    ticks = iter([1.0, 1.2, 9.9])
    latency = ScoreboardLatency(clock=lambda: next(ticks))
    latency.answering(GAME, "q1", "a")  # 1.0
    latency.answering(GAME, "q1", "b")  # 1.2
    latency.answering(GAME, "q1", "a")  # a resend keeps the first time (no tick used)
    for received_at in (1.05, 1.25):
        body = {
            "type": "winner",
            "game_id": GAME,
            "seq": 3,
            "question_id": "q1",
            "winner": who("a"),
        }
        latency.player_got(LiveMessage.from_body("t", body, received_at))
    latency.player_got(
        LiveMessage.from_body(
            "t", {"type": "winner", "game_id": GAME, "question_id": "q2", "winner": who("b")}
        )
    )
    assert [round(sample, 3) for sample in latency.samples_ms()] == [50.0, 250.0]


def test_the_demo_quiz_is_valid_and_replays_with_its_seed() -> None:
    quiz = live_quiz("run1", 7, random.Random(3))
    assert QuizInput.model_validate(quiz).mode == "live"
    assert quiz == live_quiz("run1", 7, random.Random(3))
    assert len(quiz["questions"]) == 7
    with pytest.raises(ValueError):
        live_quiz("run1", 0, random.Random(3))


def test_the_report_is_ok_only_without_errors_and_with_every_winner() -> None:
    from clients.bots.demo_live import LiveDemoSettings, LiveReport

    report = LiveReport(players=3, questions=2, winners=2, latencies_ms=[5.0, 7.0, 9.0])
    assert report.ok
    assert report.summary() == {
        "mode": "live",
        "players": 3,
        "questions": 2,
        "winners": 2,
        "errors": 0,
        "scoreboard_p50_ms": 7.0,
        "scoreboard_p95_ms": 9.0,
    }
    report.winners = 1
    assert not report.ok
    report.winners = 2
    report.error("player:stalled", "b3: no message")
    assert not report.ok and report.summary()["errors"] == 1
    assert LiveDemoSettings(DemoSettings(players=2)).idle_timeout > 60
