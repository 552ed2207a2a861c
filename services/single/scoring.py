"""Scoring on the server: which answers are correct, the percentage, the experience earned.

Multiple choice is correct when the answer is the correct option (after normalisation); an open
answer is correct when it matches the answer or an accepted alternative after normalisation
(case, surrounding spaces, punctuation, accents). A question left unanswered is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.core.events import EXPERIENCE_PER_CORRECT_ANSWER
from services.quizzes.model import MultipleChoice
from services.quizzes.normalize import answer_matches
from services.single.plays import Play, PlayQuestion, Question, Submission


def is_correct(question: Question, given: str | None) -> bool:
    if given is None:
        return False
    if isinstance(question, MultipleChoice):
        # An option made only of symbols normalises to nothing; the exact option still counts.
        return given.strip() == question.answer.strip() or answer_matches(given, question.answer)
    return answer_matches(given, question.answer, question.alternatives)


def percentage(correct: int, total: int) -> int:
    """Percentage correct, rounded with Python's ``round`` (halves to even: 12.5 → 12)."""
    if total <= 0:
        return 0
    return round(100 * correct / total)


def experience_for(correct: int, *, ranked: bool) -> int:
    return correct * EXPERIENCE_PER_CORRECT_ANSWER if ranked else 0


def grade(play: Play, answers: Mapping[str, str], *, submitted_at: str) -> Submission:
    """The submission as a ranked one; the use case downgrades it when it is a replay."""
    correct = sum(is_correct(q.question, answers.get(q.question_id)) for q in play.questions)
    total = len(play.questions)
    return Submission(
        answers=dict(answers),
        submitted_at=submitted_at,
        ranked=True,
        score=percentage(correct, total),
        correct=correct,
        total=total,
        experience=experience_for(correct, ranked=True),
    )


@dataclass(frozen=True)
class AnswerLine:
    """One row of the answerboard, shown only after submitting."""

    question_id: str
    text: str
    correct_answer: str
    alternatives: tuple[str, ...]
    follow_up: str | None
    your_answer: str | None
    correct: bool


def answerboard(play: Play, answers: Mapping[str, str]) -> tuple[AnswerLine, ...]:
    return tuple(_line(question, answers.get(question.question_id)) for question in play.questions)


def _line(entry: PlayQuestion, given: str | None) -> AnswerLine:
    question = entry.question
    alternatives = () if isinstance(question, MultipleChoice) else tuple(question.alternatives)
    return AnswerLine(
        question_id=entry.question_id,
        text=question.text,
        correct_answer=question.answer,
        alternatives=alternatives,
        follow_up=question.follow_up,
        your_answer=given,
        correct=is_correct(question, given),
    )
