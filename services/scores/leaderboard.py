"""Per-quiz leaderboards: a player's first completed play of a quiz, ranked by score.

Rank is 1 + the number of strictly better scores, so tied players share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.core.events import PlayerResult

TOP_SIZE = 10


@dataclass(frozen=True)
class LeaderboardEntry:
    quiz_id: str
    player_id: str
    display_name: str
    score: int
    game_id: str
    achieved_at: str


@dataclass(frozen=True)
class RankedEntry:
    rank: int
    entry: LeaderboardEntry


@dataclass(frozen=True)
class OwnStanding:
    rank: int
    score: int


@dataclass(frozen=True)
class Leaderboard:
    quiz_id: str
    top: tuple[RankedEntry, ...]
    me: OwnStanding | None


def entry_for(result: PlayerResult) -> LeaderboardEntry | None:
    """The entry a result earns: only ranked results (first completed plays) go on the board."""
    if not result.ranked:
        return None
    return LeaderboardEntry(
        quiz_id=result.quiz_id,
        player_id=result.player_id,
        display_name=result.username,
        score=result.score,
        game_id=result.game_id,
        achieved_at=result.completed_at,
    )


def rank_top(best_first: Sequence[LeaderboardEntry]) -> tuple[RankedEntry, ...]:
    """Ranks for the best entries, given best first: equal scores share the better rank."""
    ranked: list[RankedEntry] = []
    for position, entry in enumerate(best_first, start=1):
        tied = bool(ranked) and ranked[-1].entry.score == entry.score
        ranked.append(RankedEntry(rank=ranked[-1].rank if tied else position, entry=entry))
    return tuple(ranked)
