"""The leaderboard writer and reader through their handlers, on moto (LeaderboardsTable as the
template declares it, LSI ``by_score``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from services.core.events import GameCredits, RoleCredit
from services.scores.handlers import leaderboard_writer, leaderboards
from tests.integration.play_support import (
    EVENTS,
    LocalAws,
    Player,
    call,
    http_event,
    local_aws,
    sns_event,
)

pytestmark = pytest.mark.integration

FIXTURE_MESSAGE = json.loads(
    json.loads((EVENTS / "scores_sns_player_result.json").read_text())["Records"][0]["Sns"][
        "Message"]
)


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    with local_aws(monkeypatch) as aws:
        yield aws


def _message(**changes: Any) -> str:
    return json.dumps({**FIXTURE_MESSAGE, **changes})


def _board(player: Player, quiz_id: str = "capitals") -> dict[str, Any]:
    status, body = call(leaderboards, http_event(
        "GET /quizzes/{quiz_id}/leaderboard", player=player, path={"quiz_id": quiz_id}))
    assert status == 200, body
    return body


def test_fixture_event_is_recorded(cloud: LocalAws) -> None:
    event = json.loads((EVENTS / "scores_sns_player_result.json").read_text())
    assert leaderboard_writer(event, None) == {"processed": 1, "skipped": 0}
    [item] = cloud.items("LeaderboardsTable")
    assert {name: next(iter(value.values())) for name, value in item.items()} == {
        "quiz_id": "capitals", "player_id": FIXTURE_MESSAGE["player_id"],
        "display_name": "ada", "score": "67", "game_id": FIXTURE_MESSAGE["game_id"],
        "achieved_at": FIXTURE_MESSAGE["completed_at"]}


def test_duplicate_and_parallel_deliveries_write_once(cloud: LocalAws) -> None:
    message = _message()
    for _ in range(3):
        leaderboard_writer(sns_event(message), None)
    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(lambda _: leaderboard_writer(sns_event(message), None),
                                 range(5)))
    assert all(outcome == {"processed": 1, "skipped": 0} for outcome in outcomes)
    assert len(cloud.items("LeaderboardsTable")) == 1


def test_a_later_result_never_replaces_the_first(cloud: LocalAws) -> None:
    leaderboard_writer(sns_event(_message(score=40)), None)
    leaderboard_writer(sns_event(_message(score=100, game_id="a-later-play")), None)
    [item] = cloud.items("LeaderboardsTable")
    assert item["score"] == {"N": "40"}


def test_unranked_results_are_not_written(cloud: LocalAws) -> None:
    leaderboard_writer(sns_event(_message(ranked=False, experience=0)), None)
    assert cloud.items("LeaderboardsTable") == []


def test_malformed_messages_are_skipped(cloud: LocalAws) -> None:
    outcome = leaderboard_writer(sns_event("not json", _message(score=-1), _message()), None)
    assert outcome == {"processed": 1, "skipped": 2}
    assert len(cloud.items("LeaderboardsTable")) == 1


def test_game_credits_that_reach_the_leaderboard_writer_are_skipped(cloud: LocalAws) -> None:
    credits = GameCredits(
        source="hosted", game_id="g1", quiz_id="capitals", completed_at="2030-01-01T00:00:05Z",
        credits=(RoleCredit(player_id="olga", role="owner", experience=20),)).to_message()
    outcome = leaderboard_writer(sns_event(credits, _message()), None)
    assert outcome == {"processed": 1, "skipped": 1}
    assert len(cloud.items("LeaderboardsTable")) == 1


def test_top_ten_and_own_rank_with_ties(cloud: LocalAws) -> None:
    scores = [100, 90, 90, 80, 70, 60, 50, 40, 30, 20, 10, 10, 5]
    players = [Player(f"player-{n:02}", f"name-{n:02}") for n in range(len(scores))]
    messages = [
        _message(player_id=p.player_id, username=p.username, score=s, game_id=f"g{n}")
        for n, (p, s) in enumerate(zip(players, scores, strict=True))
    ]
    leaderboard_writer(sns_event(*messages), None)
    leaderboard_writer(sns_event(_message(quiz_id="history", score=100)), None)

    board = _board(players[11])
    assert board["quiz_id"] == "capitals"
    assert [(row["rank"], row["score"]) for row in board["top"]] == [
        (1, 100), (2, 90), (2, 90), (4, 80), (5, 70), (6, 60), (7, 50), (8, 40), (9, 30),
        (10, 20)]
    assert board["top"][0] == {"rank": 1, "player_id": "player-00",
                               "display_name": "name-00", "score": 100}
    assert {row["player_id"] for row in board["top"][1:3]} == {"player-01", "player-02"}
    assert board["me"] == {"rank": 11, "score": 10}  # tied with player-10
    assert _board(players[2])["me"] == {"rank": 2, "score": 90}
    assert _board(players[12])["me"] == {"rank": 13, "score": 5}


def test_me_is_null_without_an_entry_and_unknown_quizzes_are_empty(cloud: LocalAws) -> None:
    leaderboard_writer(sns_event(_message()), None)
    stranger = Player("stranger", "stranger")
    assert _board(stranger)["me"] is None
    assert _board(stranger, "no-such-quiz") == {"quiz_id": "no-such-quiz", "top": [],
                                                "me": None}


def test_bad_quiz_id_is_refused(cloud: LocalAws) -> None:
    status, body = call(leaderboards, http_event(
        "GET /quizzes/{quiz_id}/leaderboard", player=Player("p", "p"),
        path={"quiz_id": "bad id!"}))
    assert (status, body["error"]["code"]) == (400, "validation_failed")
