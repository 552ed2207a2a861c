"""The single-player bot's brain, Sans-I/O (STYLE.md 11): ``feed(event) -> list[action]``.

No sockets, sleeps or clocks here: a shell (HTTP today, a load runner tomorrow) turns actions
into calls and call outcomes into events. Randomness comes from the ``random.Random`` it is
given, so a seed replays a run exactly.

A bot answers as every player bot does (``answering.py``): right with probability ``accuracy``
when it was given the answer (``knowledge``, e.g. from the quiz's export), really wrong
otherwise, a guess when it does not know.

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

from clients.bots.answering import AnswerSettings, choose_answer

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
class BotSettings(AnswerSettings):
    """Accuracy, think time per question (drawn uniformly) and resubmissions."""

    think_seconds: tuple[float, float] = (0.0, 0.2)
    max_retries: int = 2


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
        thinking = sum(self.settings.think_time(self.rng) for _ in event.questions)
        return [Think(thinking), SubmitAnswers(event.play_id, dict(self._answers))]

    def _choose(self, question: Question) -> tuple[str, bool | None]:
        """The answer to give, and whether it is meant to be right (None: a blind guess)."""
        known = self.knowledge.get(question.question_id)
        choice = choose_answer(question, known, self.settings.accuracy, self.rng)
        return choice.answer, choice.meant_right

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
