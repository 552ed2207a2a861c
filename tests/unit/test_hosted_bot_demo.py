"""The hosted demo's pure parts: its quiz (valid for the server's model, rounds), the checks on
what the bots saw (each bot fed the messages of a one- or two-question game), and the writers'
expectations."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import pytest

from clients.bots.hosted import Send
from clients.bots.hosted_checks import game_problems, writer_expectations
from clients.bots.hosted_host import HostBot, HostSettings
from clients.bots.hosted_player import PlayerBot, PlayerSettings
from clients.bots.hosted_quiz import demo_quiz, round_plan, rounds_of
from clients.bots.seat import Begin, Done, Idle, Received, SetTimer, TimerFired
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


KNOWLEDGE = {"q1": "Au", "q2": "Fe"}
Counts = tuple[int, int]  # (answered, answered_correctly) of one revealed question


def message(kind: str, seq: int, **fields: Any) -> Received:
    return Received(ServerMessage.from_body({"type": kind, "game_id": "g", "seq": seq, **fields}))


def line(rank: int, player_id: str, score: int) -> dict[str, Any]:
    return {"rank": rank, "player_id": player_id, "display_name": player_id, "score": score}


def mine(correct: bool, points: int) -> dict[str, Any]:
    """A player's own ``yours`` in a reveal."""
    return {"answer": "right" if correct else "???", "correct": correct, "points": points}


def question(question_id: str) -> dict[str, Any]:
    return {"question_id": question_id, "index": int(question_id[1:]) - 1, "type": "open",
            "text": f"{question_id}?"}


def revealed(question_id: str, counts: Counts, **fields: Any) -> dict[str, Any]:
    answered, correctly = counts
    return {"question_id": question_id, "correct_answer": KNOWLEDGE[question_id],
            "alternatives": [], "follow_up": None, "answered": answered,
            "answered_correctly": correctly, "answers": [], **fields}


def ended_host(counts: Mapping[str, Counts], top: list[dict[str, Any]], ranked: int) -> HostBot:
    host = HostBot(HostSettings(players=2), "quiz-1")
    host.feed(Begin())
    quiz = {"name": "Q", "mode": "casual", "question_count": len(counts), "rounds": 0}
    host.feed(message("game_opened", 1, join_code="ABC123", quiz=quiz))
    host.feed(message("game_started", 2, players=ranked))
    seq = 2
    for question_id, numbers in counts.items():
        host.feed(message("question", seq + 1, question=question(question_id),
                          time_limit_seconds=20, deadline_ms=1))
        host.feed(message("reveal", seq + 2, questions=[revealed(question_id, numbers)]))
        seq += 2
    assert host.feed(message("game_ended", seq + 1, scores=top, players=ranked)) == [Done()]
    return host


def joined_player(player_id: str, accuracy: float = 1.0) -> PlayerBot:
    settings = PlayerSettings(accuracy=accuracy, think_seconds=(0.0, 0.0))
    player = PlayerBot(settings, random.Random(1), "ABC123", KNOWLEDGE)
    player.feed(Begin())
    state = {"status": "lobby", "scores": [], "players": 0, "your_score": 0, "your_rank": 1,
             "your_correct": 0}
    player.feed(message("joined", 1, request_id="p1", state=state,
                        player={"player_id": player_id, "display_name": player_id}))
    return player


def finished_player(player_id: str, yours: Mapping[str, dict[str, Any] | None],
                    you: tuple[int, int], top: list[dict[str, Any]], ranked: int,
                    accuracy: float = 1.0, correct: int | None = None) -> PlayerBot:
    """A player that answered each question in ``yours`` (meaning right with accuracy 1), saw
    its reveal, and was sent ``you`` = (rank, score) with the final standings, and ``correct``
    (by default, its verdicts judged right)."""
    player = joined_player(player_id, accuracy)
    seq = 1
    for question_id, own in yours.items():
        [timer] = player.feed(message("question", seq + 1, question=question(question_id),
                                      time_limit_seconds=20, deadline_ms=1))
        assert isinstance(timer, SetTimer)
        [send] = player.feed(TimerFired(timer.tag))
        assert isinstance(send, Send) and send.action == "answer"
        shown = revealed(question_id, (0, 0), yours=own)  # the counts are the host's to check
        player.feed(message("reveal", seq + 2, questions=[shown]))
        seq += 2
    rank, score = you
    if correct is None:
        correct = sum(1 for own in yours.values() if own is not None and own["correct"])
    ended = message("game_ended", seq + 1, scores=top, players=ranked,
                    you={"rank": rank, "score": score, "correct": correct})
    assert player.feed(ended) == [Done()]
    return player


TOP = [line(1, "a", 900), line(2, "b", 0)]


def player_a(**changes: Any) -> PlayerBot:
    """Right on q1 for 900 points, first."""
    setup: dict[str, Any] = {"yours": {"q1": mine(True, 900)}, "you": (1, 900), "top": TOP,
                             "ranked": 2, **changes}
    return finished_player("a", **setup)


def player_b(**changes: Any) -> PlayerBot:
    """Meant to be wrong on q1 and was, second with 0."""
    setup: dict[str, Any] = {"yours": {"q1": mine(False, 0)}, "you": (2, 0), "top": TOP,
                             "ranked": 2, "accuracy": 0.0, **changes}
    return finished_player("b", **setup)


def codes(host: HostBot, players: Mapping[str, PlayerBot]) -> list[str]:
    return [code for code, _ in game_problems(host, players)]


def test_a_consistent_game_has_no_problems_and_sets_the_writers_expectations() -> None:
    host = ended_host({"q1": (2, 1)}, TOP, ranked=2)
    players = {"bot_a": player_a(), "bot_b": player_b()}
    assert game_problems(host, players) == []
    expected = writer_expectations(players)
    assert expected.scores == {"bot_a": 900, "bot_b": 0}
    assert expected.experience == {"bot_a": 10, "bot_b": 0}
    assert expected.author_experience == 20  # owner and host of the game: credited twice
    assert expected.rank("bot_b") == 2


def test_experience_counts_each_players_own_correct_verdicts() -> None:
    both = {"q1": mine(True, 900), "q2": mine(True, 600)}
    top = [line(1, "a", 1500)]
    player = finished_player("a", both, (1, 1500), top, ranked=1)
    unanswered = finished_player("a", {"q1": mine(True, 900), "q2": None}, (1, 900), top, 1)
    assert writer_expectations({"bot": player}).experience == {"bot": 20}
    assert writer_expectations({"bot": unanswered}).experience == {"bot": 10}


def test_experience_counts_the_correct_answers_sent_even_past_a_missed_reveal() -> None:
    # Cut off while q2 was revealed: its verdicts say 1 right, the server's count says 2.
    cut_off = finished_player("a", {"q1": mine(True, 900)}, (1, 1500), [line(1, "a", 1500)], 1,
                              correct=2)
    assert cut_off.correct == 1 and cut_off.correct_total == 2
    assert writer_expectations({"bot": cut_off}).experience == {"bot": 20}


def test_a_correct_count_unlike_the_verdicts_of_every_reveal_is_a_correct_mismatch() -> None:
    host = ended_host({"q1": (2, 1)}, TOP, ranked=2)
    overcounted = player_a(correct=2)  # saw every reveal: one right, told two
    problems = game_problems(host, {"bot_a": overcounted, "bot_b": player_b()})
    assert problems == [("correct_mismatch", "bot_a: 1 right in the reveals, 2 sent")]


def test_a_final_score_that_is_not_the_sum_of_the_players_points_is_a_score_mismatch() -> None:
    host = ended_host({"q1": (2, 1)}, TOP, ranked=2)
    short = player_a(yours={"q1": mine(True, 800)})  # told 800 for q1, 900 in the end
    problems = game_problems(host, {"bot_a": short, "bot_b": player_b()})
    assert problems == [("score_mismatch", "bot_a: reveals add up to 800, final score 900")]


def test_other_final_standings_than_the_hosts_are_a_scoreboard_difference() -> None:
    host = ended_host({"q1": (2, 1)}, TOP, ranked=2)
    other_top = [line(1, "a", 900), line(2, "b", 1)]
    assert codes(host, {"bot_a": player_a(), "bot_b": player_b(top=other_top)}) == [
        "scoreboard_differs"
    ]
    assert codes(host, {"bot_a": player_a(), "bot_b": player_b(ranked=3)}) == [
        "scoreboard_differs"
    ]


def test_a_top_line_unlike_the_players_own_is_a_scoreboard_difference() -> None:
    host = ended_host({"q1": (2, 1)}, TOP, ranked=2)
    told_950 = player_a(yours={"q1": mine(True, 950)}, you=(1, 950))  # the top says 900
    problems = game_problems(host, {"bot_a": told_950, "bot_b": player_b()})
    assert [code for code, _ in problems] == ["scoreboard_differs"]
    assert "own rank 1 and score 950" in problems[0][1]


def test_a_player_who_must_be_on_the_top_and_is_not_is_missing() -> None:
    everyone = [line(1, "a", 900), line(2, "ghost", 0)]  # lists both ranked, but not b
    host = ended_host({"q1": (2, 1)}, everyone, ranked=2)
    players = {"bot_a": player_a(top=everyone), "bot_b": player_b(top=everyone)}
    assert game_problems(host, players) == [("scoreboard_missing_player", "bot_b with 0")]
    only_a = [line(2, "a", 900)]  # one of two ranked: b, with more, belongs on it too
    host = ended_host({"q1": (2, 2)}, only_a, ranked=2)
    winner = player_b(yours={"q1": mine(True, 1000)}, you=(1, 1000), top=only_a, accuracy=1.0)
    players = {"bot_a": player_a(you=(2, 900), top=only_a), "bot_b": winner}
    assert codes(host, players) == ["scoreboard_missing_player"]


def test_a_player_below_a_full_top_or_tied_with_its_last_line_need_not_be_on_it() -> None:
    top = [line(1, "a", 900)]  # b, with 0, is ranked second of two: not on a top of one
    host = ended_host({"q1": (2, 1)}, top, ranked=2)
    players = {"bot_a": player_a(top=top), "bot_b": player_b(top=top)}
    assert game_problems(host, players) == []
    host = ended_host({"q1": (2, 2)}, top, ranked=2)
    tied = player_b(yours={"q1": mine(True, 900)}, you=(1, 900), top=top, accuracy=1.0)
    assert game_problems(host, {"bot_a": player_a(top=top), "bot_b": tied}) == []


def test_more_players_ranked_than_joined_is_a_player_count_mismatch() -> None:
    host = ended_host({"q1": (2, 1)}, TOP, ranked=3)
    players = {"bot_a": player_a(ranked=3), "bot_b": player_b(ranked=3)}
    assert game_problems(host, players) == [
        ("player_count_mismatch", "3 ranked, 2 players joined")
    ]


def test_reveal_counts_unlike_the_players_verdicts_are_a_mismatch() -> None:
    host = ended_host({"q1": (2, 2)}, TOP, ranked=2)  # b was judged wrong
    problems = game_problems(host, {"bot_a": player_a(), "bot_b": player_b()})
    assert [code for code, _ in problems] == ["reveal_counts_mismatch"]
    host = ended_host({"q1": (1, 1)}, TOP, ranked=2)  # b answered too
    assert codes(host, {"bot_a": player_a(), "bot_b": player_b()}) == ["reveal_counts_mismatch"]


def test_reveal_counts_are_checked_only_when_every_player_saw_the_reveal() -> None:
    host = ended_host({"q1": (2, 2)}, TOP, ranked=2)  # would not match: b is not counted
    stalled = joined_player("b")
    assert stalled.feed(Idle(60.0)) == [Done("stalled", "no message for 60 s")]
    assert codes(host, {"bot_a": player_a(), "bot_b": stalled}) == ["player:stalled"]
    top = [line(1, "a", 1500), line(2, "b", 0)]
    two = ended_host({"q1": (2, 1), "q2": (2, 1)}, top, ranked=2)
    cut_off = player_a(you=(1, 1500), top=top, correct=2)  # missed q2's reveal (600 points)
    wrong_twice = player_b(yours={"q1": mine(False, 0), "q2": mine(False, 0)}, top=top)
    assert "q2" not in cut_off.revealed and cut_off.points == 900
    assert game_problems(two, {"bot_a": cut_off, "bot_b": wrong_twice}) == []


def test_a_rank_that_is_not_one_plus_the_better_scores_is_a_rank_mismatch() -> None:
    top = [line(1, "a", 900), line(3, "b", 0)]
    host = ended_host({"q1": (2, 1)}, top, ranked=2)
    players = {"bot_a": player_a(top=top), "bot_b": player_b(you=(3, 0), top=top)}
    assert game_problems(host, players) == [
        ("rank_mismatch", "bot_b: rank 3 with 0, expected 2")
    ]


def test_equal_scores_share_a_rank() -> None:
    top = [line(1, "a", 900), line(1, "b", 900)]
    host = ended_host({"q1": (2, 2)}, top, ranked=2)
    tied = player_b(yours={"q1": mine(True, 900)}, you=(1, 900), top=top, accuracy=1.0)
    assert game_problems(host, {"bot_a": player_a(top=top), "bot_b": tied}) == []


def test_an_answer_judged_against_the_bots_intent_is_a_verdict_mismatch() -> None:
    host = ended_host({"q1": (2, 1)}, TOP, ranked=2)
    meant_right = player_b(accuracy=1.0)  # sent the right answer, told it was wrong
    problems = game_problems(host, {"bot_a": player_a(), "bot_b": meant_right})
    assert [code for code, _ in problems] == ["verdict_mismatch"]


def test_an_unfinished_player_is_a_problem_with_its_code_and_no_expectation() -> None:
    host = ended_host({}, [], ranked=0)
    stalled = PlayerBot(PlayerSettings(), random.Random(1), "ABC123")
    stalled._finish("stalled", "no message for 60 s")
    assert game_problems(host, {"bot": stalled}) == [("player:stalled", "bot: no message for 60 s")]
    assert writer_expectations({"bot": stalled}).scores == {}
