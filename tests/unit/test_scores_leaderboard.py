"""Leaderboards: ranked results only, once per player; top 10 and own rank with ties."""

from __future__ import annotations

import pytest

from services.core.events import PlayerResult
from services.scores.leaderboard import LeaderboardEntry, entry_for, rank_top
from services.scores.memory import InMemoryLeaderboardStore
from services.scores.use_cases import ReadLeaderboard, read_leaderboard, record_result

pytestmark = pytest.mark.unit


def _result(player: str, score: int, *, ranked: bool = True, quiz: str = "capitals",
            game: str | None = None) -> PlayerResult:
    return PlayerResult(
        source="single", game_id=game or f"play-{player}", quiz_id=quiz,
        quiz_owner_id="owner", player_id=player, username=f"name-{player}", score=score,
        correct=score // 10, total=10, experience=score if ranked else 0, ranked=ranked,
        completed_at="2030-01-01T00:00:00.000Z",
    )


def _entry(player: str, score: int) -> LeaderboardEntry:
    return LeaderboardEntry("capitals", player, player, score, "g", "t")


def test_entry_for_a_ranked_result_uses_the_username_as_display_name() -> None:
    entry = entry_for(_result("ada", 80))
    assert entry == LeaderboardEntry(
        quiz_id="capitals", player_id="ada", display_name="name-ada", score=80,
        game_id="play-ada", achieved_at="2030-01-01T00:00:00.000Z",
    )


def test_unranked_results_earn_no_entry() -> None:
    assert entry_for(_result("ada", 100, ranked=False)) is None


def test_rank_top_gives_ties_the_same_rank() -> None:
    ranked = rank_top([_entry("a", 90), _entry("b", 80), _entry("c", 80), _entry("d", 70),
                       _entry("e", 70), _entry("f", 70), _entry("g", 10)])
    assert [r.rank for r in ranked] == [1, 2, 2, 4, 4, 4, 7]
    assert rank_top([]) == ()


def test_a_result_is_recorded_once_whatever_is_redelivered() -> None:
    store = InMemoryLeaderboardStore()
    assert record_result(store, _result("ada", 60)) is True
    assert record_result(store, _result("ada", 60)) is False
    assert record_result(store, _result("ada", 100, game="later-replay")) is False
    assert record_result(store, _result("ada", 100, ranked=False)) is False
    assert store.writes == 1 and store.entry("capitals", "ada").score == 60


def test_read_leaderboard_top_ten_and_own_rank_outside_it() -> None:
    store = InMemoryLeaderboardStore()
    for number, score in enumerate([100, 90, 90, 80, 70, 60, 50, 40, 30, 20, 10, 10, 5]):
        record_result(store, _result(f"p{number:02}", score))
    record_result(store, _result("other-quiz", 100, quiz="history"))
    board = read_leaderboard(store, ReadLeaderboard("capitals", "p11"))
    assert [(r.rank, r.entry.score) for r in board.top] == [
        (1, 100), (2, 90), (2, 90), (4, 80), (5, 70), (6, 60), (7, 50), (8, 40), (9, 30),
        (10, 20)]
    assert (board.me.rank, board.me.score) == (11, 10)  # tied with p10, both 11th


def test_read_leaderboard_me_is_none_without_an_entry() -> None:
    store = InMemoryLeaderboardStore()
    record_result(store, _result("ada", 50))
    board = read_leaderboard(store, ReadLeaderboard("capitals", "bob"))
    assert board.me is None and len(board.top) == 1
    assert read_leaderboard(store, ReadLeaderboard("empty", "ada")).top == ()
