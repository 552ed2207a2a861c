"""The hosted demo's quiz: any number of arithmetic questions, casual or competitive.

Generated from a ``random.Random`` so a seed gives the same quiz; the texts are numbered, so
no two questions read alike. Competitive quizzes split the questions into at least two rounds
of consecutive questions (so play order is document order).
"""

from __future__ import annotations

import random
from typing import Any

HOSTED_MODES = ("casual", "competitive")
MIN_QUESTIONS = {"casual": 1, "competitive": 2}
MAX_QUESTIONS = 100
QUESTIONS_PER_ROUND = 3
TIME_LIMIT_SECONDS = 20


def demo_quiz(run_id: str, mode: str, questions: int, rng: random.Random) -> dict[str, Any]:
    """A quiz document (services/quizzes/model.py) for ``trivia demo hosted``."""
    if mode not in HOSTED_MODES:
        raise ValueError(f"mode must be one of {', '.join(HOSTED_MODES)}")
    if not MIN_QUESTIONS[mode] <= questions <= MAX_QUESTIONS:
        raise ValueError(f"a {mode} demo quiz has {MIN_QUESTIONS[mode]}..{MAX_QUESTIONS} questions")
    items = [_question(number, rng) for number in range(1, questions + 1)]
    if mode == "competitive":
        for item, round_ in zip(items, round_plan(questions), strict=True):
            item["round"] = round_
    return {
        "name": f"Hosted demo {run_id}",
        "description": "Made by `trivia demo hosted`.",
        "category": "demo",
        "mode": mode,
        "time_limit_seconds": TIME_LIMIT_SECONDS,
        "questions": items,
    }


def round_plan(questions: int) -> tuple[int, ...]:
    """The round of each question: at least two rounds, about three questions each."""
    rounds = max(2, -(-questions // QUESTIONS_PER_ROUND))
    return tuple(1 + index * rounds // questions for index in range(questions))


def rounds_of(document: dict[str, Any]) -> tuple[int, ...] | None:
    """The round of each question in play order (by round), or None for a casual quiz."""
    if document["mode"] != "competitive":
        return None
    return tuple(sorted(int(question["round"]) for question in document["questions"]))


def _question(number: int, rng: random.Random) -> dict[str, Any]:
    left, right = rng.randint(2, 49), rng.randint(2, 49)
    if number % 3 == 0:
        return {
            "type": "open",
            "text": f"Question {number}: what is {left} times {right}? (digits only)",
            "answer": str(left * right),
            "follow_up": f"{left} × {right} = {left * right}.",
        }
    total = left + right
    wrong = rng.sample([total + delta for delta in (-10, -2, -1, 1, 2, 10)], 3)
    options = [str(value) for value in [total, *wrong]]
    rng.shuffle(options)
    return {
        "type": "multiple_choice",
        "text": f"Question {number}: what is {left} plus {right}?",
        "options": options,
        "answer": str(total),
    }
