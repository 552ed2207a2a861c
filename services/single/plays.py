"""A single-player play: the questions it was given (with answers, server-side only), and
once submitted, the answers and the result they earned.

A play keeps its own snapshot of the quiz's questions, so editing the quiz never rescores a play.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from services.quizzes.model import MultipleChoice, OpenAnswer, public_question

Question = MultipleChoice | OpenAnswer


class PlayAlreadySubmitted(Exception):  # noqa: N818 (a fact the use case reacts to)
    """The play has a submission already; nothing was written."""


class QuizAlreadyCompleted(Exception):  # noqa: N818
    """The player completed another play of this quiz first; this one cannot be ranked."""


@dataclass(frozen=True)
class PlayQuestion:
    question_id: str
    question: Question

    def public(self) -> dict[str, object]:
        """As the player may see it before answering: no answer, alternatives or follow-up."""
        return public_question(self.question_id, self.question)


@dataclass(frozen=True)
class Submission:
    """The answers as submitted and the result they earned (computed on the server)."""

    answers: Mapping[str, str]
    submitted_at: str
    ranked: bool
    score: int
    correct: int
    total: int
    experience: int

    def unranked(self) -> Submission:
        return replace(self, ranked=False, experience=0)


@dataclass(frozen=True)
class Play:
    play_id: str
    player_id: str
    username: str
    quiz_id: str
    quiz_owner_id: str
    started_at: str
    questions: tuple[PlayQuestion, ...]
    submission: Submission | None = None

    @property
    def question_ids(self) -> frozenset[str]:
        return frozenset(question.question_id for question in self.questions)

    def with_submission(self, submission: Submission) -> Play:
        return replace(self, submission=submission)


def timestamp(moment: datetime) -> str:
    """The server clock as stored and shown: ISO 8601, UTC, milliseconds (``...Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
