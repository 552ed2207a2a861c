"""Response bodies of the quiz routes, exactly as docs/http-api.md spells them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.quizzes.importers import export_document
from services.quizzes.model import Quiz
from services.quizzes.summaries import QuizSummary


def quiz_body(quiz: Quiz) -> dict[str, Any]:
    """Quiz, as its owner sees it: server fields, the document, ids on every question."""
    document = export_document(quiz.document)
    questions = [
        {"question_id": question_id, **question}
        for question_id, question in zip(quiz.question_ids, document.pop("questions"), strict=True)
    ]
    return {
        "quiz_id": quiz.quiz_id,
        "owner_id": quiz.owner_id,
        "owner_name": quiz.owner_name,
        "active": quiz.active,
        "version": quiz.version,
        "created_at": quiz.created_at,
        "updated_at": quiz.updated_at,
        **document,
        "questions": questions,
    }


def summary_body(summary: QuizSummary) -> dict[str, Any]:
    return asdict(summary)


def summaries_body(summaries: list[QuizSummary]) -> dict[str, Any]:
    return {"quizzes": [summary_body(summary) for summary in summaries]}
