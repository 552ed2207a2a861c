"""In-memory ``QuizRepository`` for unit tests and other contexts' tests.

It enforces the same conditions as ``DynamoQuizRepository`` (a contract test module runs the
same assertions against both) and records every write it was sent in ``writes``.
"""

from __future__ import annotations

import threading

from services.core.errors import QuizNotFound
from services.quizzes.errors import QuizIdTaken, QuizVersionConflict
from services.quizzes.filters import listed_category, listed_mode
from services.quizzes.model import Mode, Quiz, listing_key
from services.quizzes.summaries import QuizListing, QuizSummary


class InMemoryQuizRepository:
    def __init__(self, quizzes: list[Quiz] | None = None) -> None:
        self._quizzes: dict[str, Quiz] = {quiz.quiz_id: quiz for quiz in quizzes or []}
        self._lock = threading.Lock()
        self.writes: list[tuple[str, str]] = []  # (operation, quiz_id), in order

    def get(self, quiz_id: str) -> Quiz | None:
        return self._quizzes.get(quiz_id)

    def create(self, quiz: Quiz) -> None:
        with self._lock:
            if quiz.quiz_id in self._quizzes:
                raise QuizIdTaken(f"quiz id {quiz.quiz_id} is taken")
            self._store("create", quiz)

    def replace(self, quiz: Quiz, expected_version: int) -> None:
        with self._lock:
            self._owned(quiz.quiz_id, quiz.owner_id, expected_version)
            self._store("replace", quiz)

    def delete(self, quiz_id: str, owner_id: str) -> None:
        with self._lock:
            self._owned(quiz_id, owner_id)
            del self._quizzes[quiz_id]
            self.writes.append(("delete", quiz_id))

    def list_by_owner(self, owner_id: str) -> list[QuizSummary]:
        own = [quiz for quiz in self._quizzes.values() if quiz.owner_id == owner_id]
        own.sort(key=lambda quiz: quiz.created_at, reverse=True)
        return [QuizSummary.of(quiz) for quiz in own]

    def set_active(
        self, quiz_id: str, owner_id: str, active: bool, *, expected_version: int | None = None
    ) -> Quiz:
        with self._lock:
            current = self._owned(quiz_id, owner_id, expected_version)
            updated = current.model_copy(update={"active": active})
            self._store("set_active", updated)
            return updated

    def list_listed(
        self, mode: Mode | str, category: str | None, limit: int = 100
    ) -> list[QuizListing]:
        wanted_mode = listed_mode(mode)
        wanted = listing_key(wanted_mode, listed_category(category)) if category else None
        found = [
            QuizListing.of(quiz)
            for quiz in self._quizzes.values()
            if quiz.listing is not None
            and (quiz.listing == wanted or (wanted is None and quiz.document.mode is wanted_mode))
        ]
        found.sort(key=lambda x: (x.category, x.name.casefold(), x.quiz_id))
        return found[: max(limit, 0)]

    def _owned(self, quiz_id: str, owner_id: str, expected_version: int | None = None) -> Quiz:
        current = self._quizzes.get(quiz_id)
        if current is None or current.owner_id != owner_id:
            raise QuizNotFound(f"quiz {quiz_id} not found", details={"quiz_id": quiz_id})
        if expected_version is not None and current.version != expected_version:
            raise QuizVersionConflict(
                f"quiz {quiz_id} changed meanwhile (version {current.version}, "
                f"not {expected_version}); read it again and retry",
                details={"quiz_id": quiz_id, "version": current.version},
            )
        return current

    def _store(self, operation: str, quiz: Quiz) -> None:
        self._quizzes[quiz.quiz_id] = quiz
        self.writes.append((operation, quiz.quiz_id))
