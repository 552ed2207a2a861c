"""In-memory leaderboard store: the unit tests' fake, held to the DynamoDB adapter's behaviour
by ``tests/integration/test_scores_store_contract.py``."""

from __future__ import annotations

import threading

from services.scores.leaderboard import LeaderboardEntry


class InMemoryLeaderboardStore:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], LeaderboardEntry] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def add_once(self, entry: LeaderboardEntry) -> bool:
        with self._lock:
            key = (entry.quiz_id, entry.player_id)
            if key in self.entries:
                return False
            self.entries[key] = entry
            self.writes += 1
            return True

    def best(self, quiz_id: str, limit: int) -> list[LeaderboardEntry]:
        on_quiz = [entry for (quiz, _), entry in self.entries.items() if quiz == quiz_id]
        return sorted(on_quiz, key=lambda entry: entry.score, reverse=True)[:limit]

    def entry(self, quiz_id: str, player_id: str) -> LeaderboardEntry | None:
        return self.entries.get((quiz_id, player_id))

    def count_better(self, quiz_id: str, score: int) -> int:
        on_quiz = [entry for (quiz, _), entry in self.entries.items() if quiz == quiz_id]
        return sum(1 for entry in on_quiz if entry.score > score)
