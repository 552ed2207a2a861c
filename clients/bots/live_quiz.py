"""The live demo's quiz: any number of arithmetic questions, generated from a seed.

The questions are arithmetic_quiz.py's: seeded, numbered, every third one open (digits only),
the others multiple choice with the right sum among near misses.
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

__all__ = ["MAX_QUESTIONS", "TIME_LIMIT_SECONDS", "live_quiz"]


def live_quiz(run_id: str, questions: int, rng: random.Random) -> dict[str, Any]:
    """A live-scoreboard quiz document (services/quizzes/model.py) for ``trivia demo live``."""
    if not 1 <= questions <= MAX_QUESTIONS:
        raise ValueError(f"a live demo quiz has 1..{MAX_QUESTIONS} questions")
    items = arithmetic_questions(questions, rng)
    return arithmetic_quiz(f"Live demo {run_id}", "trivia demo live", "live", items)
