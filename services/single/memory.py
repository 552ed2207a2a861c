"""In-memory adapters for the single-player ports: the unit tests' fakes. (For quizzes, the
tests use ``services.quizzes.memory.InMemoryQuizRepository``, contract-tested by its owners.)

They keep the DynamoDB adapter's semantics (one submission per play, first completed play
counts, atomically) and record what was sent; the contract test
``tests/integration/test_single_store_contract.py`` runs the same assertions against both.
"""

from __future__ import annotations

import threading

from services.core.errors import ServiceUnavailable
from services.core.events import PlayerResult
from services.single.plays import Play, PlayAlreadySubmitted, QuizAlreadyCompleted, Submission


class InMemoryPlayStore:
    def __init__(self) -> None:
        self.plays: dict[str, Play] = {}
        self.first_completions: dict[tuple[str, str], str] = {}  # (quiz, player) -> play_id
        self._lock = threading.Lock()

    def add(self, play: Play) -> None:
        with self._lock:
            if play.play_id in self.plays:
                raise ServiceUnavailable("could not store the play; try again")
            self.plays[play.play_id] = play

    def get(self, play_id: str) -> Play | None:
        return self.plays.get(play_id)

    def record_first_completion(self, play: Play, submission: Submission) -> None:
        with self._lock:
            self._check_not_submitted(play.play_id)
            first = (play.quiz_id, play.player_id)
            if first in self.first_completions:
                raise QuizAlreadyCompleted(play.quiz_id)
            self.first_completions[first] = play.play_id
            self._submit(play.play_id, submission)

    def record_submission(self, play: Play, submission: Submission) -> None:
        with self._lock:
            self._check_not_submitted(play.play_id)
            self._submit(play.play_id, submission)

    def _check_not_submitted(self, play_id: str) -> None:
        stored = self.plays.get(play_id)
        if stored is None or stored.submission is not None:
            raise PlayAlreadySubmitted(play_id)

    def _submit(self, play_id: str, submission: Submission) -> None:
        self.plays[play_id] = self.plays[play_id].with_submission(submission)


class RecordingPublisher:
    """Records every published result; ``failures`` makes the next that many publishes fail."""

    def __init__(self, failures: int = 0) -> None:
        self.published: list[PlayerResult] = []
        self.failures = failures

    def publish(self, result: PlayerResult) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ServiceUnavailable("the result could not be published; try again")
        self.published.append(result)
