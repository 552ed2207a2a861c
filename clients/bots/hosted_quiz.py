"""The hosted demo's quiz: any number of arithmetic questions, casual or competitive.

The questions are arithmetic_quiz.py's (seeded, numbered), with the working as the open
questions' follow-up. Competitive quizzes split the questions into at least two rounds of
consecutive questions (so play order is document order).
"""

from __future__ import annotations

import random
from typing import Any

from clients.bots.arithmetic_quiz import (
    MAX_QUESTIONS,
    TIME_LIMIT_SECONDS,
    arithmetic_questions,
    arithmetic_quiz,
)

__all__ = ["MAX_QUESTIONS", "TIME_LIMIT_SECONDS", "demo_quiz", "round_plan", "rounds_of"]

HOSTED_MODES = ("casual", "competitive")
MIN_QUESTIONS = {"casual": 1, "competitive": 2}
QUESTIONS_PER_ROUND = 3


def demo_quiz(run_id: str, mode: str, questions: int, rng: random.Random) -> dict[str, Any]:
    """A quiz document (services/quizzes/model.py) for ``trivia demo hosted``."""
    if mode not in HOSTED_MODES:
        raise ValueError(f"mode must be one of {', '.join(HOSTED_MODES)}")
    if not MIN_QUESTIONS[mode] <= questions <= MAX_QUESTIONS:
        raise ValueError(f"a {mode} demo quiz has {MIN_QUESTIONS[mode]}..{MAX_QUESTIONS} questions")
    items = arithmetic_questions(questions, rng, follow_up=True)
    if mode == "competitive":
        for item, round_ in zip(items, round_plan(questions), strict=True):
            item["round"] = round_
    return arithmetic_quiz(f"Hosted demo {run_id}", "trivia demo hosted", mode, items)


def round_plan(questions: int) -> tuple[int, ...]:
    """The round of each question: at least two rounds, about three questions each."""
    rounds = max(2, -(-questions // QUESTIONS_PER_ROUND))
    return tuple(1 + index * rounds // questions for index in range(questions))


def rounds_of(document: dict[str, Any]) -> tuple[int, ...] | None:
    """The round of each question in play order (by round), or None for a casual quiz."""
    if document["mode"] != "competitive":
        return None
    return tuple(sorted(int(question["round"]) for question in document["questions"]))
