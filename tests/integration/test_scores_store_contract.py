"""One contract for the leaderboard store: in-memory fake and DynamoDB adapter (on moto)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.scores.dynamo import DynamoLeaderboardStore
from services.scores.leaderboard import LeaderboardEntry
from services.scores.memory import InMemoryLeaderboardStore
from services.scores.ports import LeaderboardStore
from tests.integration.play_support import local_aws

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "dynamodb"])
def store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LeaderboardStore]:
    if request.param == "memory":
        yield InMemoryLeaderboardStore()
        return
    with local_aws(monkeypatch) as cloud:
        yield DynamoLeaderboardStore(cloud.dynamodb, cloud.refs["LeaderboardsTable"])


def _entry(player: str, score: int, quiz: str = "capitals", game: str = "g1") -> LeaderboardEntry:
    return LeaderboardEntry(quiz_id=quiz, player_id=player, display_name=f"name-{player}",
                            score=score, game_id=game, achieved_at="2030-01-01T00:00:00.000Z")


def test_an_entry_is_added_once(store: LeaderboardStore) -> None:
    assert store.add_once(_entry("ada", 50)) is True
    assert store.add_once(_entry("ada", 100, game="g2")) is False
    assert store.entry("capitals", "ada") == _entry("ada", 50)
    assert store.entry("capitals", "bob") is None
    assert store.entry("history", "ada") is None


def test_best_is_best_first_within_a_quiz(store: LeaderboardStore) -> None:
    for player, score in [("a", 30), ("b", 100), ("c", 0), ("d", 70), ("e", 70)]:
        store.add_once(_entry(player, score))
    store.add_once(_entry("z", 90, quiz="history"))
    assert [e.score for e in store.best("capitals", 10)] == [100, 70, 70, 30, 0]
    assert [e.player_id for e in store.best("capitals", 1)] == ["b"]
    assert {e.player_id for e in store.best("capitals", 3)[1:]} == {"d", "e"}
    assert store.best("nobody", 10) == []


def test_count_better_counts_strictly_higher_scores(store: LeaderboardStore) -> None:
    for player, score in [("a", 30), ("b", 100), ("c", 70), ("d", 70)]:
        store.add_once(_entry(player, score))
    store.add_once(_entry("z", 100, quiz="history"))
    assert [store.count_better("capitals", s) for s in (100, 70, 69, 30, 0)] == [0, 1, 3, 3, 4]
    assert store.count_better("nobody", 0) == 0
