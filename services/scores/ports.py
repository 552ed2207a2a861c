"""The port the leaderboard use cases work through (DynamoDB adapter and in-memory fake)."""

from __future__ import annotations

from typing import Protocol

from services.scores.leaderboard import LeaderboardEntry


class LeaderboardStore(Protocol):
    def add_once(self, entry: LeaderboardEntry) -> bool:
        """Add the entry unless the player has one on this quiz; True when it was added."""

    def best(self, quiz_id: str, limit: int) -> list[LeaderboardEntry]:
        """The quiz's entries with the highest scores, best first, at most ``limit``."""

    def entry(self, quiz_id: str, player_id: str) -> LeaderboardEntry | None:
        """The player's entry on the quiz, or None."""

    def count_better(self, quiz_id: str, score: int) -> int:
        """How many entries on the quiz have a score strictly higher than ``score``."""
