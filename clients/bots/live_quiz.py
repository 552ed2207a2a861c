"""The live demo's quiz: any number of arithmetic questions, generated from a seed.

A ``random.Random`` makes the quiz, so a seed gives the same quiz; the texts are numbered, so
no two questions read alike. Every third question is open (digits only), the others are
multiple choice with the right sum among near misses.
"""

from __future__ import annotations

import random
from typing import Any

MAX_QUESTIONS = 100
TIME_LIMIT_SECONDS = 20


def live_quiz(run_id: str, questions: int, rng: random.Random) -> dict[str, Any]:
    """A live-scoreboard quiz document (services/quizzes/model.py) for ``trivia demo live``."""
    if not 1 <= questions <= MAX_QUESTIONS:
        raise ValueError(f"a live demo quiz has 1..{MAX_QUESTIONS} questions")
    return {
        "name": f"Live demo {run_id}",
        "description": "Made by `trivia demo live`.",
        "category": "demo",
        "mode": "live",
        "time_limit_seconds": TIME_LIMIT_SECONDS,
        "questions": [_question(number, rng) for number in range(1, questions + 1)],
    }


def _question(number: int, rng: random.Random) -> dict[str, Any]:
    left, right = rng.randint(2, 49), rng.randint(2, 49)
    if number % 3 == 0:
        return {
            "type": "open",
            "text": f"Question {number}: what is {left} times {right}? (digits only)",
            "answer": str(left * right),
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
