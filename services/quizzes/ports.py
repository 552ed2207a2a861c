"""The port the quiz use cases write through; ``DynamoQuizRepository`` and the in-memory fake
implement it, and one contract test module holds both to the same behaviour."""

from __future__ import annotations

from typing import Protocol

from services.quizzes.model import Mode, Quiz
from services.quizzes.summaries import QuizListing, QuizSummary


class QuizRepository(Protocol):
    def get(self, quiz_id: str) -> Quiz | None:
        """The stored quiz, or None when there is none (malformed ids included)."""

    def create(self, quiz: Quiz) -> None:
        """Store a new quiz; ``QuizIdTaken`` when its id is in use."""

    def replace(self, quiz: Quiz, expected_version: int) -> None:
        """Overwrite the caller's own quiz if it is still at ``expected_version``.

        Unknown or someone else's → ``QuizNotFound``; changed meanwhile → ``QuizVersionConflict``.
        """

    def delete(self, quiz_id: str, owner_id: str) -> None:
        """Delete the caller's own quiz; unknown or someone else's → ``QuizNotFound``."""

    def list_by_owner(self, owner_id: str) -> list[QuizSummary]:
        """The owner's quizzes, newest first."""

    def set_active(
        self, quiz_id: str, owner_id: str, active: bool, *, expected_version: int | None = None
    ) -> Quiz:
        """List or unlist the caller's own quiz and return it as stored.

        Unknown or someone else's → ``QuizNotFound``; not at ``expected_version`` (when given)
        → ``QuizVersionConflict``.
        """

    def list_listed(
        self, mode: Mode | str, category: str | None, limit: int = 100
    ) -> list[QuizListing]:
        """Active quizzes of ``mode`` (in ``category``, or in any), at most ``limit``."""
