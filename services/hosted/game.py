"""A hosted game's plan and state: what the server knows, and what players may see of it.

The plan is a snapshot of the quiz taken when the game opens (answers included, kept
server-side only): questions in play order, competitive ones grouped by round. ``GameState`` is
the live state read from the store together with the server clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.quizzes.model import MultipleChoice, Quiz
from services.quizzes.normalize import normalize_answer


class Status(StrEnum):
    LOBBY = "lobby"
    STARTED = "started"
    QUESTION_OPEN = "question_open"
    QUESTION_CLOSED = "question_closed"
    ENDED = "ended"


HOSTED_MODES = frozenset({"casual", "competitive"})


@dataclass(frozen=True)
class PlannedQuestion:
    question_id: str
    index: int
    type: str
    text: str
    answer: str
    alternatives: tuple[str, ...] = ()
    options: tuple[str, ...] | None = None
    round: int | None = None
    follow_up: str | None = None
    time_limit_seconds: int = 20

    def public(self) -> dict[str, Any]:
        """As players see it before the reveal: nothing derived from the answer."""
        shown: dict[str, Any] = {
            "question_id": self.question_id, "index": self.index, "type": self.type,
            "text": self.text,
        }
        if self.options is not None:
            shown["options"] = list(self.options)
        if self.round is not None:
            shown["round"] = self.round
        return shown

    def accepted(self) -> list[str]:
        """Normalised accepted answers: what the answer script compares with, server-side."""
        found = {normalize_answer(text) for text in (self.answer, *self.alternatives)}
        return sorted(text for text in found if text)

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id, "index": self.index, "type": self.type,
            "text": self.text, "answer": self.answer, "alternatives": list(self.alternatives),
            "options": list(self.options) if self.options is not None else None,
            "round": self.round, "follow_up": self.follow_up,
            "time_limit_seconds": self.time_limit_seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlannedQuestion:
        options = data.get("options")
        return cls(
            question_id=data["question_id"], index=data["index"], type=data["type"],
            text=data["text"], answer=data["answer"],
            alternatives=tuple(data.get("alternatives") or ()),
            options=tuple(options) if options is not None else None,
            round=data.get("round"), follow_up=data.get("follow_up"),
            time_limit_seconds=data["time_limit_seconds"],
        )


@dataclass(frozen=True)
class GamePlan:
    game_id: str
    quiz_id: str
    quiz_name: str
    quiz_owner_id: str
    host_id: str
    mode: str
    join_code: str
    questions: tuple[PlannedQuestion, ...]

    @property
    def rounds(self) -> int:
        return len({q.round for q in self.questions if q.round is not None})

    def question(self, index: int) -> PlannedQuestion:
        return self.questions[index]

    def by_id(self, question_id: str) -> PlannedQuestion | None:
        return next((q for q in self.questions if q.question_id == question_id), None)

    def round_of(self, index: int) -> list[PlannedQuestion]:
        """Competitive: every question of the round of ``index``; casual: that question."""
        asked = self.questions[index]
        if self.mode != "competitive":
            return [asked]
        return [q for q in self.questions if q.round == asked.round]

    def ends_round(self, index: int) -> bool:
        return self.mode != "competitive" or index == self.round_of(index)[-1].index

    def to_json(self) -> dict[str, Any]:
        return {
            "game_id": self.game_id, "quiz_id": self.quiz_id, "quiz_name": self.quiz_name,
            "quiz_owner_id": self.quiz_owner_id, "host_id": self.host_id, "mode": self.mode,
            "join_code": self.join_code, "questions": [q.to_json() for q in self.questions],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GamePlan:
        return cls(
            game_id=data["game_id"], quiz_id=data["quiz_id"], quiz_name=data["quiz_name"],
            quiz_owner_id=data["quiz_owner_id"], host_id=data["host_id"], mode=data["mode"],
            join_code=data["join_code"],
            questions=tuple(PlannedQuestion.from_json(q) for q in data["questions"]),
        )


def plan_game(quiz: Quiz, *, game_id: str, host_id: str, join_code: str) -> GamePlan:
    """The quiz's questions in play order: as written (casual), round by round (competitive)."""
    document = quiz.document
    indexed = list(enumerate(document.questions))
    if document.mode == "competitive":
        indexed.sort(key=lambda pair: (pair[1].round or 0, pair[0]))
    questions = []
    for index, (position, question) in enumerate(indexed):
        questions.append(PlannedQuestion(
            question_id=f"q{position + 1}", index=index, type=question.type,
            text=question.text, answer=question.answer,
            alternatives=tuple(getattr(question, "alternatives", ()) or ()),
            options=tuple(question.options) if isinstance(question, MultipleChoice) else None,
            round=question.round, follow_up=question.follow_up,
            time_limit_seconds=question.time_limit_seconds or document.time_limit_seconds,
        ))
    return GamePlan(
        game_id=game_id, quiz_id=quiz.quiz_id, quiz_name=document.name,
        quiz_owner_id=quiz.owner_id, host_id=host_id, mode=str(document.mode.value),
        join_code=join_code, questions=tuple(questions),
    )


@dataclass(frozen=True)
class GameState:
    """The live state as one script read it, with the server clock at that moment."""

    stored_status: str  # lobby / started / ended, as stored
    host_id: str
    question_index: int  # -1 before the first question
    open: bool
    asked_ms: int
    deadline_ms: int
    now_ms: int
    players: dict[str, str] = field(default_factory=dict)  # player id -> display name
    scores: dict[str, int] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        if self.stored_status != Status.STARTED:
            return Status(self.stored_status)
        if self.question_index < 0:
            return Status.STARTED
        if self.question_is_open:
            return Status.QUESTION_OPEN
        return Status.QUESTION_CLOSED

    @property
    def question_is_open(self) -> bool:
        return self.open and self.now_ms <= self.deadline_ms

    def ranking(self) -> list[tuple[int, str, int]]:
        """(rank, player id, score), best first; equal scores share a rank."""
        ordered = sorted(self.scores.items(), key=lambda item: (-item[1], item[0]))
        ranked: list[tuple[int, str, int]] = []
        for position, (player_id, score) in enumerate(ordered, start=1):
            rank = ranked[-1][0] if ranked and ranked[-1][2] == score else position
            ranked.append((rank, player_id, score))
        return ranked
