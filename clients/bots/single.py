"""The single-player bot's brain, Sans-I/O (STYLE.md 11): ``feed(event) -> list[action]``.

No sockets, sleeps or clocks here: a shell (HTTP today, a load runner tomorrow) turns actions
into calls and call outcomes into events. Randomness comes from the ``random.Random`` it is
given, so a seed replays a run exactly.

A bot answers correctly only when it was given the answer (``knowledge``, e.g. from the quiz's
export); then it is right with probability ``accuracy``. A wrong answer is really wrong: another
option, or for an open question a text with no letters or digits, which the server's matching
(case, spaces, punctuation and accents ignored) can never accept.

Flow: ``Begin`` -> ``StartPlay``; ``PlayStarted`` -> ``Think``, ``SubmitAnswers``;
``ResultReceived`` -> ``Done``. A retryable error on submission resubmits the same answers
(the API answers a repeated submission with the first result), up to ``max_retries`` times.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from services.quizzes.normalize import normalize_answer

# Only punctuation: normalises to the empty string, which never matches an answer.
UNMATCHABLE_ANSWER = "???"
RETRY_PAUSE_SECONDS = 0.2


@dataclass(frozen=True)
class Question:
    question_id: str
    type: str
    text: str
    options: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            question_id=str(data["question_id"]),
            type=str(data["type"]),
            text=str(data.get("text", "")),
            options=tuple(str(option) for option in data.get("options") or ()),
        )


# ---------------------------------------------------------------- events (shell -> brain)


@dataclass(frozen=True)
class Begin:
    quiz_id: str


@dataclass(frozen=True)
class PlayStarted:
    play_id: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class ResultReceived:
    result: Mapping[str, Any]


@dataclass(frozen=True)
class ErrorReceived:
    code: str
    message: str = ""
    retryable: bool = False


Event = Begin | PlayStarted | ResultReceived | ErrorReceived

# ---------------------------------------------------------------- actions (brain -> shell)


@dataclass(frozen=True)
class StartPlay:
    quiz_id: str


@dataclass(frozen=True)
class Think:
    seconds: float


@dataclass(frozen=True)
class SubmitAnswers:
    play_id: str
    answers: Mapping[str, str]


@dataclass(frozen=True)
class Done:
    play_id: str | None
    result: Mapping[str, Any] | None = None
    error_code: str | None = None
    # How many answers the bot meant to get right; None when it did not know every answer.
    intended_correct: int | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None


Action = StartPlay | Think | SubmitAnswers | Done


@dataclass(frozen=True)
class BotSettings:
    accuracy: float = 0.7
    think_seconds: tuple[float, float] = (0.0, 0.2)  # per question, drawn uniformly
    max_retries: int = 2

    def __post_init__(self) -> None:
        low, high = self.think_seconds
        if not 0.0 <= self.accuracy <= 1.0:
            raise ValueError("accuracy must be between 0 and 1")
        if not 0.0 <= low <= high:
            raise ValueError("think time range must be 0 <= low <= high")
        if self.max_retries < 0:
            raise ValueError("max_retries must not be negative")


class Phase(Enum):
    IDLE = "idle"
    STARTING = "starting"
    ANSWERING = "answering"
    DONE = "done"


class BotProtocolError(RuntimeError):
    """The shell fed an event the brain cannot be waiting for: a bug in the shell."""


class SingleBot:
    def __init__(
        self,
        settings: BotSettings,
        rng: random.Random,
        knowledge: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.rng = rng
        self.knowledge: Mapping[str, str] = knowledge or {}
        self.phase = Phase.IDLE
        self._play_id: str | None = None
        self._answers: dict[str, str] = {}
        self._intended_correct: int | None = None
        self._retries_left = 0

    def feed(self, event: Event) -> list[Action]:
        if isinstance(event, Begin) and self.phase is Phase.IDLE:
            self.phase = Phase.STARTING
            return [StartPlay(event.quiz_id)]
        if isinstance(event, PlayStarted) and self.phase is Phase.STARTING:
            return self._answer(event)
        if isinstance(event, ResultReceived) and self.phase is Phase.ANSWERING:
            return self._finish(Done(self._play_id, event.result, None, self._intended_correct))
        if isinstance(event, ErrorReceived) and self.phase in (Phase.STARTING, Phase.ANSWERING):
            return self._on_error(event)
        raise BotProtocolError(f"{type(event).__name__} while {self.phase.value}")

    def _answer(self, event: PlayStarted) -> list[Action]:
        self.phase = Phase.ANSWERING
        self._play_id = event.play_id
        self._retries_left = self.settings.max_retries
        intents = {q.question_id: self._choose(q) for q in event.questions}
        self._answers = {qid: answer for qid, (answer, _) in intents.items()}
        meant = [right for _, right in intents.values()]
        self._intended_correct = None if None in meant else sum(1 for right in meant if right)
        low, high = self.settings.think_seconds
        thinking = sum(self.rng.uniform(low, high) for _ in event.questions)
        return [Think(thinking), SubmitAnswers(event.play_id, dict(self._answers))]

    def _choose(self, question: Question) -> tuple[str, bool | None]:
        """The answer to give, and whether it is meant to be right (None: a blind guess)."""
        known = self.knowledge.get(question.question_id)
        if known is None:
            return self._guess(question), None
        if self.rng.random() < self.settings.accuracy:
            return _as_given(question, known), True
        return self._wrong(question, known), False

    def _guess(self, question: Question) -> str:
        if question.options:
            return self.rng.choice(question.options)
        return UNMATCHABLE_ANSWER

    def _wrong(self, question: Question, known: str) -> str:
        right = normalize_answer(known)
        others = [o for o in question.options if normalize_answer(o) != right]
        return self.rng.choice(others) if others else UNMATCHABLE_ANSWER

    def _on_error(self, error: ErrorReceived) -> list[Action]:
        resubmit = self.phase is Phase.ANSWERING and error.retryable and self._retries_left > 0
        if not resubmit:
            failed = Done(self._play_id, None, error.code, self._intended_correct, error.message)
            return self._finish(failed)
        self._retries_left -= 1
        play_id = self._play_id or ""  # always set once answering
        return [Think(RETRY_PAUSE_SECONDS), SubmitAnswers(play_id, dict(self._answers))]

    def _finish(self, done: Done) -> list[Action]:
        self.phase = Phase.DONE
        return [done]


def _as_given(question: Question, known: str) -> str:
    """The option exactly as shown when one matches the known answer, else the answer itself."""
    right = normalize_answer(known)
    for option in question.options:
        if normalize_answer(option) == right:
            return option
    return known
