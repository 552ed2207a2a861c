"""The live game's values: the plan (quiz snapshot, answers kept server-side), scoreboards and
the outcomes of the Redis scripts. Plain frozen dataclasses; no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from services.quizzes.model import MultipleChoice, OpenAnswer, Quiz, public_question, question_id
from services.quizzes.normalize import normalize_answer

LOBBY, STARTED, ENDED = "lobby", "started", "ended"


@dataclass(frozen=True)
class PlannedQuestion:
    question_id: str
    index: int
    public: dict[str, Any]  # what players see: no answer, no alternatives, no follow-up
    answer: str
    accepted: tuple[str, ...]  # normalised
    time_limit_seconds: int

    def shown(self) -> dict[str, Any]:
        return {"question_id": self.question_id, "index": self.index, **{
            key: value for key, value in self.public.items() if key in ("type", "text", "options")
        }}


@dataclass(frozen=True)
class GamePlan:
    game_id: str
    host_id: str
    quiz_id: str
    quiz_name: str
    quiz_owner_id: str
    questions: tuple[PlannedQuestion, ...]

    def to_json(self) -> str:
        return json.dumps({
            "game_id": self.game_id, "host_id": self.host_id, "quiz_id": self.quiz_id,
            "quiz_name": self.quiz_name, "quiz_owner_id": self.quiz_owner_id,
            "questions": [q.__dict__ | {"accepted": list(q.accepted)} for q in self.questions],
        }, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> GamePlan:
        data = json.loads(text)
        questions = tuple(
            PlannedQuestion(**{**q, "accepted": tuple(q["accepted"])}) for q in data["questions"])
        return cls(**{**data, "questions": questions})


def plan_from_quiz(quiz: Quiz, *, game_id: str, host_id: str) -> GamePlan:
    document = quiz.document
    return GamePlan(
        game_id=game_id, host_id=host_id, quiz_id=quiz.quiz_id, quiz_name=document.name,
        quiz_owner_id=quiz.owner_id,
        questions=tuple(
            _planned(index, question, document.time_limit_seconds)
            for index, question in enumerate(document.questions)
        ),
    )


def _planned(index: int, question: MultipleChoice | OpenAnswer, default_limit: int
             ) -> PlannedQuestion:
    written = [question.answer]
    if isinstance(question, OpenAnswer):
        written += list(question.alternatives)
    accepted = tuple(dict.fromkeys(n for n in map(normalize_answer, written) if n))
    qid = question_id(index)
    return PlannedQuestion(
        question_id=qid, index=index, public=public_question(qid, question),
        answer=question.answer, accepted=accepted,
        time_limit_seconds=question.time_limit_seconds or default_limit,
    )


@dataclass(frozen=True)
class ScoreLine:
    player_id: str
    display_name: str
    score: int


def ranked(lines: list[ScoreLine] | tuple[ScoreLine, ...]) -> list[dict[str, Any]]:
    """``scores`` of docs/mqtt.md: best first; equal scores share a rank (1, 1, 3)."""
    ordered = sorted(lines, key=lambda line: (-line.score, line.display_name, line.player_id))
    out: list[dict[str, Any]] = []
    for position, line in enumerate(ordered, start=1):
        rank = out[-1]["rank"] if out and out[-1]["score"] == line.score else position
        out.append({"rank": rank, "player_id": line.player_id,
                    "display_name": line.display_name, "score": line.score})
    return out
