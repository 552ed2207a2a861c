"""Leaderboard use cases: record a result once, read a quiz's board with the caller's rank."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.events import PlayerResult
from services.scores.leaderboard import (
    TOP_SIZE,
    Leaderboard,
    OwnStanding,
    entry_for,
    rank_top,
)
from services.scores.ports import LeaderboardStore


@dataclass(frozen=True)
class ReadLeaderboard:
    quiz_id: str
    player_id: str


def record_result(store: LeaderboardStore, result: PlayerResult) -> bool:
    """Put a ranked result on its quiz's board; True when this call added it.

    SNS delivers at least once: a duplicate delivery, a retry or a replayed message finds the
    player's entry there already and changes nothing. Unranked results (replays) write nothing.
    """
    entry = entry_for(result)
    if entry is None:
        return False
    return store.add_once(entry)


def read_leaderboard(store: LeaderboardStore, query: ReadLeaderboard) -> Leaderboard:
    top = rank_top(store.best(query.quiz_id, TOP_SIZE))
    own = store.entry(query.quiz_id, query.player_id)
    me = None
    if own is not None:
        rank = 1 + store.count_better(query.quiz_id, own.score)
        me = OwnStanding(rank=rank, score=own.score)
    return Leaderboard(quiz_id=query.quiz_id, top=top, me=me)
