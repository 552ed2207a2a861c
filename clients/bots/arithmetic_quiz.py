"""Arithmetic questions for the hosted and live demos' quizzes, generated from a seed.

A ``random.Random`` makes the questions, so a seed gives the same quiz; the texts are
numbered, so no two questions read alike. Every third question is open (digits only), the
others are multiple choice with the right sum among near misses.
"""

from __future__ import annotations

import random
from typing import Any

MAX_QUESTIONS = 100
TIME_LIMIT_SECONDS = 20


def arithmetic_quiz(
    name: str, made_by: str, mode: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    """A quiz document (services/quizzes/model.py) holding ``items``."""
    return {
        "name": name,
        "description": f"Made by `{made_by}`.",
        "category": "demo",
        "mode": mode,
        "time_limit_seconds": TIME_LIMIT_SECONDS,
        "questions": items,
    }


def arithmetic_questions(
    count: int, rng: random.Random, *, follow_up: bool = False
) -> list[dict[str, Any]]:
    """``count`` numbered questions; ``follow_up`` adds the working to the open ones."""
    return [_question(number, rng, follow_up) for number in range(1, count + 1)]


def _question(number: int, rng: random.Random, follow_up: bool) -> dict[str, Any]:
    left, right = rng.randint(2, 49), rng.randint(2, 49)
    if number % 3 == 0:
        question = {
            "type": "open",
            "text": f"Question {number}: what is {left} times {right}? (digits only)",
            "answer": str(left * right),
        }
        if follow_up:
            question["follow_up"] = f"{left} × {right} = {left * right}."
        return question
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
