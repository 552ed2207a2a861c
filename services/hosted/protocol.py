"""The wire protocol of docs/websocket.md: action validation and message builders.

Every inbound frame is validated against ``docs/schemas/websocket/actions.schema.json`` (after a
4 KB size check); every builder here produces a message valid against ``messages.schema.json``
(the unit tests check each one). Builders take only what players may see: questions go out
through ``PlannedQuestion.public()``; answers appear only in ``reveal``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from services.core.errors import ValidationFailed
from services.core.json_messages import check_branch, decode_object, error_message
from services.hosted.game import GamePlan, GameState, PlannedQuestion, Status
from services.hosted.store import RecordedAnswer

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "websocket"
MAX_ACTION_BYTES = 4096
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


def scores(state: GameState) -> list[dict[str, Any]]:
    return [
        {"rank": rank, "player_id": player_id,
         "display_name": state.players.get(player_id, player_id), "score": score}
        for rank, player_id, score in state.ranking()
    ]


def open_question(question: PlannedQuestion, state: GameState) -> dict[str, Any]:
    return {"question": question.public(), "time_limit_seconds": question.time_limit_seconds,
            "deadline_ms": state.deadline_ms}


def snapshot(plan: GamePlan, state: GameState, *, player_id: str | None,
             answered: bool | None = None) -> dict[str, Any]:
    """``state`` of ``joined``/``resumed``: the current question only while it is open."""
    shown: dict[str, Any] = {"status": state.status.value, "scores": scores(state)}
    if state.status is Status.QUESTION_OPEN:
        shown["question"] = open_question(plan.question(state.question_index), state)
        if answered is not None:
            shown["answered"] = answered
    if player_id is not None and player_id in state.scores:
        shown["your_score"] = state.scores[player_id]
    return shown


def quiz_summary(plan: GamePlan) -> dict[str, Any]:
    return {"name": plan.quiz_name, "mode": plan.mode, "question_count": len(plan.questions),
            "rounds": plan.rounds}


def revealed(question: PlannedQuestion, answers: list[RecordedAnswer]) -> dict[str, Any]:
    return {
        "question_id": question.question_id, "correct_answer": question.answer,
        "alternatives": list(question.alternatives), "follow_up": question.follow_up,
        "answers": [
            {"player_id": a.player_id, "answer": a.answer, "correct": a.correct,
             "points": a.points}
            for a in answers
        ],
    }
