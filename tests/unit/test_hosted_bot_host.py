"""The hosted-game host brain, scripted through ``feed()``: casual and competitive games,
stale messages, refusals, retries and resume."""

from __future__ import annotations

from typing import Any

import pytest

from clients.bots.hosted import Announce, Disconnected, Reconnect, Reconnected, Send
from clients.bots.hosted_host import HostBot, HostSettings, RevealCounts
from clients.bots.seat import Begin, Done, Received, SetTimer, TimerFired
from clients.sdk.ws_messages import ServerMessage

pytestmark = pytest.mark.unit

GAME = "g1"


class Script:
    """Feeds server messages with increasing seq numbers, the way one game sends them."""

    def __init__(self, host: HostBot) -> None:
        self.host = host
        self.seq = 0

    def message(self, kind: str, *, seq: int | None = None, **fields: Any) -> list[Any]:
        if seq is None:
            self.seq += 1
            seq = self.seq
        body = {"type": kind, "game_id": GAME, "seq": seq, **fields}
        return self.host.feed(Received(ServerMessage.from_body(body)))

    def step(self, kind: str, **fields: Any) -> Send:
        [send] = self.message(kind, **fields)
        assert isinstance(send, Send)
        return send

    def question(self, number: int, round_: int | None = None) -> list[Any]:
        data: dict[str, Any] = {"question_id": f"q{number}", "index": number - 1, "type": "open",
                                "text": f"Question {number}?"}
        if round_ is not None:
            data["round"] = round_
        return self.message("question", question=data, time_limit_seconds=20, deadline_ms=1)

    def reveal(self, *numbers: int, answered: int = 0, correctly: int = 0) -> Send:
        """The host's copy: each question's counts and most common answers, no ``yours``."""
        common = [{"answer": "x", "count": correctly, "correct": True}] if correctly else []
        questions = [
            {"question_id": f"q{n}", "correct_answer": "x", "alternatives": [],
             "follow_up": None, "answered": answered, "answered_correctly": correctly,
             "answers": common}
            for n in numbers
        ]
        return self.step("reveal", questions=questions)

    def scoreboard(self, **fields: Any) -> Send:
        return self.step("scoreboard", scores=[], players=2, **fields)


def opened(players: int = 2, mode: str = "casual", count: int = 2,
           rounds: tuple[int, ...] | None = None) -> Script:
    host = HostBot(HostSettings(players=players, rounds=rounds, lobby_timeout_seconds=30),
                   "quiz-1")
    [open_game] = host.feed(Begin())
    assert (open_game.action, open_game.fields) == ("open_game", {"quiz_id": "quiz-1"})
    script = Script(host)
    quiz = {"name": "Q", "mode": mode, "question_count": count, "rounds": len(set(rounds or ()))}
    announce, lobby = script.message("game_opened", join_code="ABC123", quiz=quiz,
                                     request_id=open_game.request_id)
    assert announce == Announce(GAME, "ABC123")
    assert lobby == SetTimer(30, "lobby")
    return script


def started(script: Script, players: int = 2) -> Send:
    for count in range(1, players):
        assert script.message("player_joined", player={"player_id": f"p{count}",
                                                       "display_name": "x"}, players=count) == []
    start = script.step("player_joined", player={"player_id": "last", "display_name": "x"},
                        players=players)
    assert (start.action, start.fields) == ("start_game", {"game_id": GAME})
    return script.step("game_started", players=players)


def ask_and_close(script: Script, number: int, round_: int | None = None) -> Send:
    [deadline] = script.question(number, round_)
    assert deadline == SetTimer(20.5, f"deadline:q{number}")
    assert script.message("answer_progress", question_id=f"q{number}", answered=1,
                          players=2) == []
    close = script.step("answer_progress", question_id=f"q{number}", answered=2, players=2)
    assert close.action == "close_question"
    return script.step("question_closed", question_id=f"q{number}", answered=2)


def test_a_casual_game_reveals_and_scores_after_every_question_then_ends() -> None:
    script = opened()
    first = started(script)
    assert first.action == "next_question"
    assert ask_and_close(script, 1).action == "reveal"
    scoreboard = script.reveal(1, answered=2, correctly=1)
    assert scoreboard.action == "show_scoreboard"
    assert script.scoreboard().action == "next_question"
    assert ask_and_close(script, 2).action == "reveal"
    script.reveal(2, answered=2, correctly=2)
    end = script.scoreboard()
    assert end.action == "end_game"
    final = [{"rank": 1, "player_id": "a", "display_name": "a", "score": 1700},
             {"rank": 2, "player_id": "b", "display_name": "b", "score": 600}]
    assert script.message("game_ended", scores=final, players=2) == [Done()]
    host = script.host
    assert host.players == 2
    assert host.reveal_counts == {"q1": RevealCounts(2, 1), "q2": RevealCounts(2, 2)}
    assert (host.final_scores, host.final_players) == (final, 2)
    assert [q.question_id for q in host.asked] == ["q1", "q2"] == host.revealed


def test_a_competitive_game_reveals_once_per_round_from_the_quiz_plan() -> None:
    script = opened(mode="competitive", count=3, rounds=(1, 1, 2))
    started(script)
    assert ask_and_close(script, 1, round_=1).action == "next_question"
    assert ask_and_close(script, 2, round_=1).action == "reveal"
    script.reveal(1, 2, answered=2, correctly=1)
    assert script.scoreboard().action == "next_question"
    assert ask_and_close(script, 3, round_=2).action == "reveal"
    script.reveal(3, answered=1)
    assert script.scoreboard().action == "end_game"
    assert script.host.revealed == ["q1", "q2", "q3"]
    assert script.host.reveal_counts == {
        "q1": RevealCounts(2, 1), "q2": RevealCounts(2, 1), "q3": RevealCounts(1, 0)
    }


def test_without_a_plan_the_server_says_whether_the_round_goes_on() -> None:
    script = opened(mode="competitive", count=3)
    started(script)
    probe = ask_and_close(script, 1, round_=1)
    assert probe.action == "reveal"
    mid_round = {"code": "invalid_state", "message": "the round is not finished"}
    ask = script.step("error", request_id=probe.request_id, error=mid_round)
    assert ask.action == "next_question"
    assert ask_and_close(script, 2, round_=1).action == "reveal"
    script.reveal(1, 2)
    assert script.scoreboard().action == "next_question"


def test_no_more_questions_ends_the_game() -> None:
    script = opened(count=3)
    started(script)
    ask_and_close(script, 1)
    script.reveal(1)
    ask = script.scoreboard()
    over = {"code": "no_more_questions", "message": "that was the last question"}
    assert script.step("error", request_id=ask.request_id, error=over).action == "end_game"


def test_the_deadline_closes_a_question_and_a_server_side_close_is_accepted() -> None:
    script = opened()
    started(script)
    [deadline] = script.question(1)
    close = script.host.feed(TimerFired(deadline.tag))
    assert [send.action for send in close] == ["close_question"]
    assert script.host.feed(TimerFired(deadline.tag)) == []  # already closing
    closed = {"code": "invalid_state", "message": "question closed at its deadline"}
    reveal = script.step("error", request_id=close[0].request_id, error=closed)
    assert reveal.action == "reveal"
    assert script.host.feed(TimerFired(deadline.tag)) == []


def test_the_lobby_timeout_starts_with_whoever_joined_or_gives_up_on_nobody() -> None:
    script = opened(players=3)
    script.message("player_joined", player={"player_id": "a", "display_name": "a"}, players=1)
    [start] = script.host.feed(TimerFired("lobby"))
    assert start.action == "start_game"
    empty = opened(players=3)
    [done] = empty.host.feed(TimerFired("lobby"))
    assert done.error_code == "no_players"


def test_stale_messages_do_not_move_the_game_twice() -> None:
    script = opened()
    started(script)
    ask_and_close(script, 1)
    seq_of_close = script.seq
    assert script.message("question_closed", seq=seq_of_close, question_id="q1",
                          answered=2) == []
    script.reveal(1)
    scoreboard_seq = script.seq + 1
    assert script.scoreboard(seq=scoreboard_seq).action == "next_question"
    assert script.message("scoreboard", seq=scoreboard_seq, scores=[], players=2) == []
    assert script.message("scoreboard", seq=scoreboard_seq - 1, scores=[], players=2) == []
    assert script.host.last_seq == scoreboard_seq


def test_a_retryable_refusal_is_sent_again_after_a_pause_and_a_fatal_one_ends() -> None:
    script = opened()
    first = started(script)
    busy = {"code": "rate_limited", "message": "slow down", "retryable": True}
    [pause] = script.message("error", request_id=first.request_id, error=busy)
    assert pause == SetTimer(0.2, f"retry:{first.request_id}")
    [again] = script.host.feed(TimerFired(pause.tag))
    assert (again.action, again.fields) == ("next_question", first.fields)
    assert again.request_id != first.request_id
    assert script.message("error", request_id=first.request_id, error=busy) == []  # old attempt
    fatal = {"code": "not_host", "message": "not yours"}
    [done] = script.message("error", request_id=again.request_id, error=fatal)
    assert done == Done("next_question:not_host", "not yours")


def test_rate_limited_retries_pause_longer_each_time_past_the_servers_window() -> None:
    """10 actions a second per connection: three quick retries would all land in one window."""
    script = opened()
    request = started(script)
    busy = {"code": "rate_limited", "message": "slow down", "retryable": True}
    pauses = []
    for _ in range(3):
        [pause] = script.message("error", request_id=request.request_id, error=busy)
        pauses.append(pause.seconds)
        [request] = script.host.feed(TimerFired(pause.tag))
    assert pauses == [0.2, 0.4, 0.8] and sum(pauses) > 1.0
    [done] = script.message("error", request_id=request.request_id, error=busy)
    assert done == Done("next_question:rate_limited", "slow down")


def test_resume_waits_on_the_open_question_again() -> None:
    script = opened()
    started(script)
    script.question(1)
    assert script.host.feed(Disconnected()) == [Reconnect()]
    assert script.host.feed(Reconnected()) == []
    open_q1 = {"question": {"question_id": "q1", "index": 0, "type": "open", "text": "?"},
               "time_limit_seconds": 20, "deadline_ms": 1}
    [deadline] = script.message("resumed", role="host",
                                state={"status": "question_open", "question": open_q1,
                                       "scores": [], "players": 2})
    assert deadline == SetTimer(20.5, "deadline:q1")
    assert [q.question_id for q in script.host.asked] == ["q1"]


def test_resume_resends_the_step_whose_reply_was_lost() -> None:
    script = opened()
    started(script)
    ask_and_close(script, 1)
    board = script.reveal(1)
    script.host.feed(Disconnected())
    script.host.feed(Reconnected())
    again = script.step("resumed", role="host", state={"status": "question_closed",
                                                        "scores": [], "players": 2})
    assert (again.action, again.fields) == ("show_scoreboard", board.fields)
    assert again.request_id != board.request_id


def test_resume_after_the_question_closed_unseen_moves_on_to_the_reveal() -> None:
    script = opened()
    started(script)
    script.question(1)
    script.host.feed(Disconnected())
    script.host.feed(Reconnected())
    reveal = script.step("resumed", role="host", state={"status": "question_closed",
                                                         "scores": [], "players": 2})
    assert reveal.action == "reveal"


def test_resume_into_an_ended_game_keeps_the_final_standings_and_ends() -> None:
    script = opened()
    started(script)
    ask_and_close(script, 1)
    script.reveal(1, answered=2, correctly=2)
    script.host.feed(Disconnected())
    script.host.feed(Reconnected())
    final = [{"rank": 1, "player_id": "a", "display_name": "a", "score": 1000},
             {"rank": 1, "player_id": "b", "display_name": "b", "score": 1000}]
    ended = {"status": "ended", "scores": final, "players": 2}
    assert script.message("resumed", role="host", state=ended) == [Done()]
    assert (script.host.final_scores, script.host.final_players) == (final, 2)
