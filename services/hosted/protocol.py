"""The wire protocol of docs/websocket.md: action validation and message builders.

Every inbound frame is validated against ``docs/schemas/websocket/actions.schema.json`` (after a
4 KB size check); every builder here produces a message valid against ``messages.schema.json``
(the unit tests check each one). Builders take only what players may see: questions go out
through ``PlannedQuestion.public()``; answers appear only in ``reveal``. No message grows with
the number of players: standings and reveals go out as the top of them for everyone plus each
player's own line (decision 0009).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from services.core.errors import ValidationFailed
from services.core.json_messages import check_branch, decode_object, error_message
from services.hosted.game import GamePlan, GameState, PlannedQuestion, Status
from services.hosted.store import RecordedAnswer
from services.quizzes.normalize import normalize_answer

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "websocket"
MAX_ACTION_BYTES = 4096
TOP_SCORES = 10  # scoreboard lines everyone sees; each player also gets their own
TOP_ANSWERS = 10  # most common answers shown per revealed question
GAME_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def action_names() -> list[str]:
    return list(validator("actions").schema["properties"]["action"]["enum"])


@cache
def _action_validator(name: str) -> Draft202012Validator:
    """The schema branch of one action (its own error messages, not oneOf's)."""
    definitions = validator("actions").schema["$defs"]
    return Draft202012Validator({**definitions[name], "$defs": definitions})


def parse_action(body: str | bytes | None) -> dict[str, Any]:
    """The frame as a valid action, or ``ValidationFailed`` saying what is wrong."""
    raw = body.encode() if isinstance(body, str) else (body or b"")
    action = decode_object(raw, max_bytes=MAX_ACTION_BYTES, noun="frame")
    name = action.get("action")
    if not isinstance(name, str) or name not in action_names():
        raise ValidationFailed("unknown or missing action")
    check_branch(_action_validator(name), action, name)
    return action


def request_id_of(body: str | bytes | None) -> str | None:
    """The frame's ``request_id`` if it has a usable one, for echoing in an error."""
    try:
        value = json.loads(body or b"").get("request_id")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def game_id_of(body: str | bytes | None) -> str | None:
    try:
        value = json.loads(body or b"").get("game_id")
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, str) and GAME_ID.match(value) else None


# ------------------------------------------------------------------ messages


def message(kind: str, game_id: str, seq: int, request_id: str | None = None,
            **fields: Any) -> dict[str, Any]:
    built: dict[str, Any] = {"type": kind, "game_id": game_id, "seq": seq, **fields}
    if request_id:
        built["request_id"] = request_id
    return built


error_frame = error_message  # a WebSocket error frame is the shared error message


def player(player_id: str, display_name: str) -> dict[str, str]:
    return {"player_id": player_id, "display_name": display_name}


@dataclass(frozen=True)
class Standings:
    """The ranking at one moment, sized per seat: the top of it (``board``) goes to everyone,
    each player's own line (``lines``) only to that player, so no message grows with the game
    (decision 0009)."""

    board: dict[str, Any]  # {"scores": the top TOP_SCORES lines, "players": how many ranked}
    lines: dict[str, dict[str, int]]  # player id -> {"rank", "score", "correct"}


def standings(state: GameState, correct: Mapping[str, int]) -> Standings:
    """``correct``: each player's correct answers so far (absent: none)."""
    ranking = state.ranking()
    top = [
        {"rank": rank, "player_id": player_id,
         "display_name": state.players.get(player_id, player_id), "score": score}
        for rank, player_id, score in ranking[:TOP_SCORES]
    ]
    return Standings(
        board={"scores": top, "players": len(ranking)},
        lines={player_id: {"rank": rank, "score": score, "correct": correct.get(player_id, 0)}
               for rank, player_id, score in ranking},
    )


def open_question(question: PlannedQuestion, state: GameState) -> dict[str, Any]:
    return {"question": question.public(), "time_limit_seconds": question.time_limit_seconds,
            "deadline_ms": state.deadline_ms}


def snapshot(plan: GamePlan, state: GameState, *, player_id: str | None,
             answered: bool | None = None, correct: int = 0) -> dict[str, Any]:
    """``state`` of ``joined``/``resumed``: the current question only while it is open; the
    top of the standings, and a player's own score, rank and ``correct`` answers."""
    ranked = standings(state, {player_id: correct} if player_id else {})
    shown: dict[str, Any] = {"status": state.status.value, **ranked.board}
    if state.status is Status.QUESTION_OPEN:
        shown["question"] = open_question(plan.question(state.question_index), state)
        if answered is not None:
            shown["answered"] = answered
    line = ranked.lines.get(player_id or "")
    if line is not None:
        shown["your_score"], shown["your_rank"] = line["score"], line["rank"]
        shown["your_correct"] = line["correct"]
    return shown


def quiz_summary(plan: GamePlan) -> dict[str, Any]:
    return {"name": plan.quiz_name, "mode": plan.mode, "question_count": len(plan.questions),
            "rounds": plan.rounds}


@dataclass(frozen=True)
class Reveal:
    """One revealed question: what everyone sees (``shown``: the answer, how many answered and
    were right, the most common answers) and each player's own answer (``yours``)."""

    shown: dict[str, Any]
    yours: dict[str, dict[str, Any]]  # player id -> {"answer", "correct", "points"}


def revealed(question: PlannedQuestion, answers: list[RecordedAnswer]) -> Reveal:
    groups: dict[str, list[RecordedAnswer]] = {}
    for recorded in answers:
        groups.setdefault(normalize_answer(recorded.answer), []).append(recorded)
    common = sorted(groups.values(), key=lambda group: (-len(group), group[0].answer))
    shown = {
        "question_id": question.question_id, "correct_answer": question.answer,
        "alternatives": list(question.alternatives), "follow_up": question.follow_up,
        "answered": len(answers),
        "answered_correctly": sum(1 for recorded in answers if recorded.correct),
        "answers": [
            {"answer": group[0].answer, "count": len(group), "correct": group[0].correct}
            for group in common[:TOP_ANSWERS]
        ],
    }
    yours = {
        recorded.player_id: {
            "answer": recorded.answer, "correct": recorded.correct, "points": recorded.points
        }
        for recorded in answers
    }
    return Reveal(shown, yours)
