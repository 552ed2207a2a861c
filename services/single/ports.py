"""The ports the single-player use cases work through.

Quizzes come from the quizzes context (``services.quizzes.repository.DynamoQuizRepository``
satisfies ``QuizSource`` structurally); plays live in the PlaysTable; results leave over SNS.
``services.single.memory`` holds in-memory implementations for the unit tests, and
``tests/integration/test_single_store_contract.py`` holds them to the DynamoDB adapter's behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from services.core.events import PlayerResult
from services.quizzes.model import Mode, Quiz
from services.single.plays import Play, Submission


class ListedQuiz(Protocol):
    """What the quiz listing says about one active quiz (``QuizListing`` has these fields)."""

    @property
    def quiz_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def owner_id(self) -> str: ...
    @property
    def question_count(self) -> int: ...


class QuizSource(Protocol):
    def get(self, quiz_id: str) -> Quiz | None:
        """The stored quiz, or None."""

    def list_listed(
        self, mode: Mode, category: str | None, limit: int = 100
    ) -> Sequence[ListedQuiz]:
        """Active quizzes of ``mode`` (in ``category``, or in any)."""


class PlayStore(Protocol):
    def add(self, play: Play) -> None:
        """Store a new, unsubmitted play."""

    def get(self, play_id: str) -> Play | None:
        """The play as stored (with its submission once there is one), or None."""

    def record_first_completion(self, play: Play, submission: Submission) -> None:
        """Atomically record ``submission`` (ranked) and mark the quiz completed by the player.

        ``PlayAlreadySubmitted`` when the play has a submission already (nothing written);
        ``QuizAlreadyCompleted`` when the player completed another play of the quiz first
        (nothing written).
        """

    def record_submission(self, play: Play, submission: Submission) -> None:
        """Record ``submission`` (unranked); ``PlayAlreadySubmitted`` when there is one."""


class ResultPublisher(Protocol):
    def publish(self, result: PlayerResult) -> None:
        """Fan the result out to the writers; ``ServiceUnavailable`` when that failed."""


class Clock(Protocol):
    def __call__(self) -> datetime: ...
