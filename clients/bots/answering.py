"""How every player bot answers, whatever the mode (Sans-I/O, STYLE.md 11).

A bot answers correctly only when it was given the answer (an answer key, e.g. from the quiz's
export); then it is right with probability ``accuracy``. A wrong answer is really wrong: another
option, or for an open question a text with no letters or digits, which the server's matching
(case, spaces, punctuation and accents ignored) can never accept. Randomness comes from the
``random.Random`` a brain is given, so a seed replays a run exactly.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from services.quizzes.normalize import normalize_answer

# Only punctuation: normalises to the empty string, which never matches an answer.
UNMATCHABLE_ANSWER = "???"


@dataclass(frozen=True)
class AnswerSettings:
    """How well and how fast a player bot answers; modes subclass it with their defaults."""

    accuracy: float = 0.7
    think_seconds: tuple[float, float] = (0.0, 0.3)  # per question, drawn uniformly
    max_retries: int = 3

    def __post_init__(self) -> None:
        low, high = self.think_seconds
        if not 0.0 <= self.accuracy <= 1.0:
            raise ValueError("accuracy must be between 0 and 1")
        if not 0.0 <= low <= high:
            raise ValueError("think time range must be 0 <= low <= high")
        if self.max_retries < 0:
            raise ValueError("max_retries must not be negative")

    def think_time(self, rng: random.Random) -> float:
        """Seconds of thought for one question."""
        low, high = self.think_seconds
        return rng.uniform(low, high)


class HasOptions(Protocol):
    @property
    def options(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class AskedQuestion:
    """A question as a game server pushes it (no answer)."""

    question_id: str
    index: int
    type: str
    text: str
    options: tuple[str, ...] = ()
    round: int | None = None

    @classmethod
    def from_message(cls, data: Mapping[str, Any]) -> AskedQuestion:
        round_ = data.get("round")
        return cls(
            question_id=str(data["question_id"]),
            index=int(data.get("index", 0)),
            type=str(data.get("type", "open")),
            text=str(data.get("text", "")),
            options=tuple(str(option) for option in data.get("options") or ()),
            round=round_ if isinstance(round_, int) else None,
        )


@dataclass(frozen=True)
class Choice:
    answer: str
    meant_right: bool | None  # None: a blind guess (the bot did not know the answer)


def choose_answer(
    question: HasOptions, known: str | None, accuracy: float, rng: random.Random
) -> Choice:
    """Right with probability ``accuracy`` when the answer is known; really wrong otherwise
    (another option, or a text the server's matching can never accept)."""
    if known is None:
        guess = rng.choice(question.options) if question.options else UNMATCHABLE_ANSWER
        return Choice(guess, None)
    right = normalize_answer(known)
    if rng.random() < accuracy:
        shown = [option for option in question.options if normalize_answer(option) == right]
        return Choice(shown[0] if shown else known, True)
    others = [option for option in question.options if normalize_answer(option) != right]
    return Choice(rng.choice(others) if others else UNMATCHABLE_ANSWER, False)


def score_of(scores: Any, player_id: str | None) -> int | None:
    """A player's score in a ``scores`` list, or None when they are not on it."""
    for line in scores or ():
        if isinstance(line, Mapping) and line.get("player_id") == player_id:
            return int(line.get("score", 0))
    return None
