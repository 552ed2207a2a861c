"""The hosted demo's pure parts: its quiz (valid for the server's model, rounds), the checks on
what the bots saw, and the writers' expectations."""

from __future__ import annotations

import random
from typing import Any

import pytest

from clients.bots.answering import AskedQuestion
from clients.bots.hosted_checks import game_problems, writer_expectations
from clients.bots.hosted_host import HostBot, HostSettings
from clients.bots.hosted_player import PlayerBot, PlayerSettings, Verdict
from clients.bots.hosted_quiz import demo_quiz, round_plan, rounds_of
from clients.bots.seat import Begin, Received
from clients.sdk.ws_messages import ServerMessage
from services.quizzes.model import QuizInput

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("mode", ["casual", "competitive"])
@pytest.mark.parametrize("questions", [2, 5, 12])
def test_the_demo_quiz_is_a_valid_hosted_quiz(mode: str, questions: int) -> None:
    document = demo_quiz("run1", mode, questions, random.Random(questions))
    quiz = QuizInput.model_validate(document)
    assert quiz.mode.value == mode and len(quiz.questions) == questions
    assert len({q.text for q in quiz.questions}) == questions
    if mode == "competitive":
        assert rounds_of(document) == round_plan(questions)
        assert len(set(round_plan(questions))) >= 2
    else:
        assert rounds_of(document) is None


def test_the_same_seed_makes_the_same_quiz_and_rounds_are_consecutive() -> None:
    assert demo_quiz("r", "casual", 7, random.Random(3)) == demo_quiz(
        "r", "casual", 7, random.Random(3)
    )
    assert round_plan(7) == (1, 1, 1, 2, 2, 3, 3)
    assert round_plan(2) == (1, 2)
    with pytest.raises(ValueError):
        demo_quiz("r", "competitive", 1, random.Random(1))


def ended_host(final: list[dict[str, Any]], points: dict[str, int]) -> HostBot:
    host = HostBot(HostSettings(players=2), "quiz-1")
    host.feed(Begin())
    quiz = {"name": "Q", "mode": "casual", "question_count": 1, "rounds": 0}
    host.feed(
        Received(
            ServerMessage.from_body(
                {"type": "game_opened", "game_id": "g", "seq": 1, "join_code": "ABC123",
                 "quiz": quiz}
            )
        )
    )
    host.asked.append(AskedQuestion("q1", 0, "open", "?"))
    host.revealed.append("q1")
    for player_id, value in points.items():
        host.points[player_id] = value
        host.correct[player_id] = 1 if value else 0
    host.feed(Received(ServerMessage.from_body({"type": "game_ended", "game_id": "g",
                                                "seq": 9, "scores": final})))
    return host


def finished_player(player_id: str, final: list[dict[str, Any]], score: int) -> PlayerBot:
    player = PlayerBot(PlayerSettings(), random.Random(1), "ABC123")
    player.player_id = player_id
    player.final_scores = final
    player.score = score
    player.verdicts["q1"] = Verdict(correct=score > 0, points=score)
    player._finish()
    return player


def test_a_consistent_game_has_no_problems_and_sets_the_writers_expectations() -> None:
    final = [{"rank": 1, "player_id": "a", "display_name": "a", "score": 900},
             {"rank": 2, "player_id": "b", "display_name": "b", "score": 0}]
    host = ended_host(final, {"a": 900, "b": 0})
    players = {"bot_a": finished_player("a", final, 900), "bot_b": finished_player("b", final, 0)}
    assert game_problems(host, players) == []
    expected = writer_expectations(host, players)
    assert expected.scores == {"bot_a": 900, "bot_b": 0}
    assert expected.experience == {"bot_a": 10, "bot_b": 0}
    assert expected.author_experience == 20  # owner and host of the game: credited twice
    assert expected.rank("bot_b") == 2


def test_disagreements_between_reveals_scoreboards_and_intents_are_problems() -> None:
    final = [{"rank": 1, "player_id": "a", "display_name": "a", "score": 900}]
    host = ended_host(final, {"a": 800})
    other_board = [{"rank": 1, "player_id": "a", "display_name": "a", "score": 1}]
    player = finished_player("a", other_board, 900)
    missing = finished_player("z", final, 0)
    codes = {code for code, _ in game_problems(host, {"bot_a": player, "bot_z": missing})}
    assert codes == {"score_mismatch", "scoreboard_differs", "scoreboard_missing_player"}
    assert writer_expectations(host, {"bot_z": missing}).scores == {}


def test_an_unfinished_player_is_a_problem_with_its_code() -> None:
    final: list[dict[str, Any]] = []
    host = ended_host(final, {})
    stalled = PlayerBot(PlayerSettings(), random.Random(1), "ABC123")
    stalled._finish("stalled", "no message for 60 s")
    assert game_problems(host, {"bot": stalled}) == [("player:stalled", "bot: no message for 60 s")]
