"""Small read models: a quiz as its owner lists it, and as players find it in the listing."""

from __future__ import annotations

from dataclasses import dataclass

from services.quizzes.model import Quiz


@dataclass(frozen=True)
class QuizSummary:
    """One row of ``GET /quizzes`` (docs/http-api.md, QuizSummary); field order is wire order."""

    quiz_id: str
    name: str
    description: str
    category: str
    mode: str
    active: bool
    question_count: int
    version: int
    updated_at: str

    @classmethod
    def of(cls, quiz: Quiz) -> QuizSummary:
        document = quiz.document
        return cls(
            quiz_id=quiz.quiz_id,
            name=document.name,
            description=document.description,
            category=document.category,
            mode=document.mode.value,
            active=quiz.active,
            question_count=len(document.questions),
            version=quiz.version,
            updated_at=quiz.updated_at,
        )


@dataclass(frozen=True)
class QuizListing:
    """An active quiz as the ``by_listing`` index projects it: what a player sees before playing."""

    quiz_id: str
    name: str
    description: str
    category: str
    mode: str
    owner_id: str
    question_count: int

    @classmethod
    def of(cls, quiz: Quiz) -> QuizListing:
        document = quiz.document
        return cls(
            quiz_id=quiz.quiz_id,
            name=document.name,
            description=document.description,
            category=document.category,
            mode=document.mode.value,
            owner_id=quiz.owner_id,
            question_count=len(document.questions),
        )
