"""The hosted-game player brain, scripted through ``feed()``: no sockets, no clocks."""

from __future__ import annotations

import random
from typing import Any

import pytest

from clients.bots.hosted import Disconnected, Reconnect, Reconnected, Send
from clients.bots.hosted_player import PlayerBot, PlayerSettings
from clients.bots.seat import Begin, Done, Idle, Received, SetTimer, TimerFired
from clients.sdk.ws_messages import ServerMessage

pytestmark = pytest.mark.unit

GAME = "g1"
ME = "player-me"
Q1 = {"question_id": "q1", "index": 0, "type": "multiple_choice", "text": "Red planet?",
      "options": ["Venus", "Mars", "Jupiter"]}
Q2 = {"question_id": "q2", "index": 1, "type": "open", "text": "Symbol of gold?"}
KNOWLEDGE = {"q1": "Mars", "q2": "Au"}


def msg(kind: str, seq: int | None, game_id: str | None = GAME, **fields: Any) -> Received:
    body: dict[str, Any] = {"type": kind, **fields}
    if game_id is not None:
        body["game_id"] = game_id
    if seq is not None:
        body["seq"] = seq
    return Received(ServerMessage.from_body(body))


def state(status: str = "lobby", **fields: Any) -> dict[str, Any]:
    return {"status": status, "scores": [], "players": 1, **fields}


def revealed(data: dict[str, Any], yours: dict[str, Any] | None, **room: Any) -> dict[str, Any]:
    """A revealed question as a player is sent it: the room's view and its own ``yours``."""
    return {"question_id": data["question_id"], "correct_answer": KNOWLEDGE[data["question_id"]],
            "alternatives": [], "follow_up": None, "answered": 0, "answered_correctly": 0,
            "answers": [], **room, "yours": yours}


def joined(seq: int = 1, **state_fields: Any) -> Received:
    player = {"player_id": ME, "display_name": "me"}
    return msg("joined", seq, request_id="p1", player=player, state=state(**state_fields))


def question(seq: int, data: dict[str, Any]) -> Received:
    return msg("question", seq, question=data, time_limit_seconds=20, deadline_ms=1)


def bot(accuracy: float = 1.0, seed: int = 7, knowledge: Any = KNOWLEDGE) -> PlayerBot:
    settings = PlayerSettings(accuracy=accuracy, think_seconds=(0.1, 0.2))
    return PlayerBot(settings, random.Random(seed), "ABC123", knowledge)


def joined_bot(**kwargs: Any) -> PlayerBot:
    player = bot(**kwargs)
    [join] = player.feed(Begin())
    assert isinstance(join, Send) and join.action == "join_game"
    assert join.fields == {"join_code": "ABC123"}
    assert player.feed(joined()) == []
    return player


def answer_after_thinking(player: PlayerBot, seq: int, data: dict[str, Any]) -> Send:
    [timer] = player.feed(question(seq, data))
    assert isinstance(timer, SetTimer) and 0.1 <= timer.seconds <= 0.2
    [send] = player.feed(TimerFired(timer.tag))
    assert isinstance(send, Send) and send.action == "answer"
    return send


def test_a_full_casual_game_answers_thinks_records_and_ends() -> None:
    player = joined_bot()
    assert player.feed(msg("game_started", 2, players=2)) == []
    send = answer_after_thinking(player, 3, Q1)
    assert send.fields == {"game_id": GAME, "question_id": "q1", "answer": "Mars"}
    accepted = msg("answer_accepted", 4, question_id="q1", request_id=send.request_id)
    assert player.feed(accepted) == []
    assert player.feed(msg("question_closed", 6, question_id="q1", answered=2)) == []
    common = [{"answer": "Mars", "count": 1, "correct": True},
              {"answer": "Venus", "count": 1, "correct": False}]
    mine = {"answer": "Mars", "correct": True, "points": 950}
    reveal = [revealed(Q1, mine, answered=2, answered_correctly=1, answers=common)]
    assert player.feed(msg("reveal", 7, questions=reveal)) == []
    scores = [{"rank": 1, "player_id": ME, "display_name": "me", "score": 950},
              {"rank": 2, "player_id": "other", "display_name": "other", "score": 0}]
    you = {"rank": 1, "score": 950, "correct": 1}
    assert player.feed(msg("scoreboard", 8, scores=scores, players=2, you=you)) == []
    assert (player.score, player.rank) == (950, 1)
    [done] = player.feed(msg("game_ended", 9, scores=scores, players=2, you=you))
    assert done == Done()
    assert player.verdicts["q1"].correct and player.points == 950 and player.correct == 1
    assert player.accepted == {"q1"} and player.revealed == {"q1"}
    assert (player.final_scores, player.final_players) == (scores, 2)
    assert player.feed(question(10, Q2)) == []  # nothing after the end


def test_the_players_own_parts_give_its_verdicts_score_and_rank_wherever_it_stands() -> None:
    """Off the top 10, unanswered or wrong: what the player knows comes from ``yours`` and
    ``you``, never from a list of everyone."""
    player = joined_bot()
    wrong = {"answer": "Venus", "correct": False, "points": 0}
    reveal = [revealed(Q1, wrong, answered=900, answered_correctly=700),
              revealed(Q2, None, answered=850, answered_correctly=800)]
    assert player.feed(msg("reveal", 2, questions=reveal)) == []
    assert player.revealed == {"q1", "q2"}
    assert set(player.verdicts) == {"q1"} and not player.verdicts["q1"].correct
    assert (player.points, player.correct) == (0, 0)
    top = [{"rank": n, "player_id": f"p{n}", "display_name": f"p{n}", "score": 2000 - n}
           for n in range(1, 11)]
    you = {"rank": 955, "score": 0, "correct": 0}
    player.feed(msg("scoreboard", 3, scores=top, players=1000, you=you))
    assert (player.score, player.rank) == (0, 955)
    [done] = player.feed(msg("game_ended", 4, scores=top, players=1000, you=you))
    assert done.ok and (player.final_scores, player.final_players) == (top, 1000)


def test_accuracy_zero_gives_a_wrong_option_and_an_unmatchable_open_answer() -> None:
    player = joined_bot(accuracy=0.0)
    first = answer_after_thinking(player, 2, Q1)
    assert first.fields["answer"] in {"Venus", "Jupiter"}
    player.feed(msg("question_closed", 3, question_id="q1", answered=1))
    second = answer_after_thinking(player, 4, Q2)
    assert second.fields["answer"] == "???"
    assert player.intended_right("q1") is False and player.intended_right("q2") is False


def test_without_an_answer_key_a_choice_question_is_a_guess_among_the_options() -> None:
    player = joined_bot(knowledge=None)
    send = answer_after_thinking(player, 2, Q1)
    assert send.fields["answer"] in Q1["options"]
    assert player.intended_right("q1") is None


def test_stale_and_duplicate_messages_are_ignored() -> None:
    player = joined_bot()
    [timer] = player.feed(question(5, Q1))
    assert isinstance(timer, SetTimer)
    assert player.feed(question(5, Q1)) == []  # the same seq again
    assert player.feed(question(4, Q2)) == []  # overtaken
    ended = {"scores": [], "players": 1, "you": {"rank": 1, "score": 0, "correct": 0}}
    assert player.feed(msg("game_ended", 3, **ended)) == []  # an old end: not ours to obey
    assert player.done is None
    assert player.last_seq == 5
    assert player.feed(msg("game_ended", 9, game_id="another-game", **ended)) == []
    assert player.done is None


def test_no_answer_once_the_question_closed_before_the_think_time_ran_out() -> None:
    player = joined_bot()
    [timer] = player.feed(question(2, Q1))
    player.feed(msg("question_closed", 3, question_id="q1", answered=0))
    assert player.feed(TimerFired(timer.tag)) == []


def test_resume_after_a_drop_sends_the_same_answer_again() -> None:
    player = joined_bot()
    first = answer_after_thinking(player, 2, Q1)
    assert player.feed(Disconnected()) == [Reconnect()]
    assert player.feed(Disconnected()) == []  # the failed send and the reader both noticed
    assert player.feed(Reconnected()) == []
    open_q1 = {"question": Q1, "time_limit_seconds": 20, "deadline_ms": 1}
    resumed = msg("resumed", 5, role="player",
                  state=state("question_open", question=open_q1, answered=False, your_score=0,
                              your_rank=1, your_correct=0))
    [timer] = player.feed(resumed)
    assert timer == SetTimer(0.0, "answer:q1")
    [again] = player.feed(TimerFired(timer.tag))
    assert isinstance(again, Send) and again.fields == first.fields
    assert again.request_id != first.request_id


def test_resume_with_the_answer_recorded_sends_nothing_and_keeps_the_score() -> None:
    player = joined_bot()
    [timer] = player.feed(question(2, Q1))
    assert player.feed(Disconnected()) == [Reconnect()]
    assert player.feed(TimerFired(timer.tag)) == []  # thought while offline: wait for resume
    player.feed(Reconnected())
    open_q1 = {"question": Q1, "time_limit_seconds": 20, "deadline_ms": 1}
    resumed = msg("resumed", 6, role="player",
                  state=state("question_open", question=open_q1, answered=True, your_score=1900,
                              your_rank=3, your_correct=0))
    assert player.feed(resumed) == []
    assert (player.score, player.rank) == (1900, 3) and "q1" in player.accepted
    assert player.resumed_scores == [1900] and player.reconnects == 1


def test_resume_into_a_finished_game_ends_the_bot_with_the_final_scores() -> None:
    player = joined_bot()
    player.feed(Disconnected())
    player.feed(Reconnected())
    scores = [{"rank": 1, "player_id": "best", "display_name": "best", "score": 990}]
    ended = state("ended", scores=scores, players=40, your_score=700, your_rank=12, your_correct=0)
    [done] = player.feed(msg("resumed", 12, role="player", state=ended))
    assert done.ok and (player.score, player.rank) == (700, 12)
    assert (player.final_scores, player.final_players) == (scores, 40)


def test_late_join_at_the_open_question_answers_it() -> None:
    player = bot()
    player.feed(Begin())
    open_q2 = {"question": Q2, "time_limit_seconds": 20, "deadline_ms": 1}
    [timer] = player.feed(joined(seq=30, status="question_open", question=open_q2,
                                 answered=False, your_score=0, your_rank=1, your_correct=0))
    [send] = player.feed(TimerFired(timer.tag))
    assert isinstance(send, Send) and send.fields["answer"] == "Au"


def test_answer_errors_late_repeat_and_retry() -> None:
    player = joined_bot()
    send = answer_after_thinking(player, 2, Q1)
    busy = {"code": "rate_limited", "message": "slow down", "retryable": True}
    [retry] = player.feed(msg("error", 3, request_id=send.request_id, error=busy))
    assert retry == SetTimer(0.2, "answer:q1")
    [again] = player.feed(TimerFired(retry.tag))
    assert isinstance(again, Send) and again.fields == send.fields
    late = {"code": "deadline_passed", "message": "too late"}
    assert player.feed(msg("error", 4, request_id=again.request_id, error=late)) == []
    assert player.late == {"q1": "deadline_passed"}
    player.feed(msg("question_closed", 5, question_id="q1", answered=0))
    second = answer_after_thinking(player, 6, Q2)
    repeated = {"code": "already_answered", "message": "first answer stands"}
    player.feed(msg("error", 7, request_id=second.request_id, error=repeated))
    assert "q2" in player.accepted
    assert player.done is None


def test_a_refused_join_ends_the_bot_with_the_servers_code() -> None:
    player = bot()
    player.feed(Begin())
    refused = {"code": "join_code_not_found", "message": "no such game"}
    [done] = player.feed(msg("error", None, game_id=None, request_id="p1", error=refused))
    assert done == Done("join:join_code_not_found", "no such game")


def test_the_same_seed_and_events_replay_the_same_actions() -> None:
    def script(seed: int) -> list[Any]:
        player = joined_bot(accuracy=0.5, seed=seed)
        actions: list[Any] = []
        for seq, data in ((2, Q1), (4, Q2)):
            [timer] = player.feed(question(seq, data))
            actions += [timer, *player.feed(TimerFired(timer.tag))]
            player.feed(msg("question_closed", seq + 1, question_id=data["question_id"],
                            answered=1))
        return actions

    assert script(3) == script(3)
    runs = {tuple(repr(action) for action in script(seed)) for seed in range(8)}
    assert len(runs) > 1  # the seed matters


def test_silence_ends_the_bot_as_stalled() -> None:
    player = joined_bot()
    [done] = player.feed(Idle(30.0))
    assert done.error_code == "stalled"
