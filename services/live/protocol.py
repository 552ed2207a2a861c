"""The wire protocol of docs/mqtt.md: inbound validation and the messages the service sends.

Commands and actions are validated against ``docs/schemas/mqtt/{commands,actions}.schema.json``
(after a 4 KB size check); every builder here produces a message valid against
``messages.schema.json`` (the unit tests check each one). Questions go out through
``PlannedQuestion.shown()``: never an answer, an alternative or a follow-up before the winner or
the end.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from services.core.errors import DomainError
from services.core.json_messages import MAX_ERROR_TEXT, check_branch, decode_object, error_message
from services.live.errors import UnknownAction
from services.live.game import PlannedQuestion, ScoreLine, ranked

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "mqtt"
MAX_MESSAGE_BYTES = 4096


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def decode(raw: bytes) -> dict[str, Any]:
    return decode_object(raw, max_bytes=MAX_MESSAGE_BYTES, noun="message")


def parse(message: dict[str, Any], schema_name: str) -> dict[str, Any]:
    """``message`` as a valid command (``commands``) or action (``actions``)."""
    schema = validator(schema_name).schema
    name = message.get("action")
    if not isinstance(name, str) or name not in schema["$defs"] or (
            name not in schema["properties"]["action"]["enum"]):
        raise UnknownAction("unknown or missing action")
    check_branch(_branch_validator(schema_name, name), message, name)
    return message


@cache
def _branch_validator(schema_name: str, name: str) -> Draft202012Validator:
    """One action's validator, built once (a validator per message cost ~70 µs)."""
    schema = validator(schema_name).schema
    return Draft202012Validator({**schema["$defs"][name], "$defs": schema["$defs"]})


def request_id_of(message: dict[str, Any] | None) -> str | None:
    value = (message or {}).get("request_id")
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def game_id_of(message: dict[str, Any] | None) -> str | None:
    value = (message or {}).get("game_id")
    # ASCII only: str.isalnum() alone takes "¹" or "٣", which the schema's id pattern refuses.
    if isinstance(value, str) and 0 < len(value) <= 64 and value.isascii() and value.replace(
            "-", "").replace("_", "").isalnum():
        return value
    return None


# ------------------------------------------------------------------ builders


def _reply(kind: str, game_id: str, request_id: str | None, **fields: Any) -> dict[str, Any]:
    message: dict[str, Any] = {"type": kind, "game_id": game_id, **fields}
    if request_id:
        message["request_id"] = request_id
    return message


def _event(kind: str, game_id: str, seq: int, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "game_id": game_id, "seq": seq, **fields}


def player(player_id: str, display_name: str) -> dict[str, str]:
    return {"player_id": player_id, "display_name": display_name}


def scores(board: tuple[ScoreLine, ...] | list[ScoreLine]) -> list[dict[str, Any]]:
    return ranked(list(board))


def open_question(question: PlannedQuestion, deadline_ms: int) -> dict[str, Any]:
    return {"question": question.shown(), "time_limit_seconds": question.time_limit_seconds,
            "deadline_ms": deadline_ms}


def game_opened(game_id: str, request_id: str | None, *, name: str, count: int
                ) -> dict[str, Any]:
    return _reply("game_opened", game_id, request_id,
                  quiz={"name": name, "question_count": count})


def joined(game_id: str, request_id: str | None, *, board: tuple[ScoreLine, ...], status: str,
           question: dict[str, Any] | None) -> dict[str, Any]:
    extra = {"question": question} if question else {}
    return _reply("joined", game_id, request_id, scores=scores(board), status=status, **extra)


def player_joined(game_id: str, seq: int, *, who: dict[str, str], players: int
                  ) -> dict[str, Any]:
    return _event("player_joined", game_id, seq, player=who, players=players)


def game_started(game_id: str, seq: int, *, players: int) -> dict[str, Any]:
    return _event("game_started", game_id, seq, players=players)


def question(game_id: str, seq: int, asked: PlannedQuestion, deadline_ms: int
             ) -> dict[str, Any]:
    return _event("question", game_id, seq, **open_question(asked, deadline_ms))


def verdict(game_id: str, request_id: str | None, *, question_id: str, outcome: str,
            correct_answer: str) -> dict[str, Any]:
    return _reply("verdict", game_id, request_id, question_id=question_id, verdict=outcome,
                  correct_answer=correct_answer)


def winner(game_id: str, seq: int, *, question_id: str, who: dict[str, str],
           correct_answer: str, board: tuple[ScoreLine, ...]) -> dict[str, Any]:
    return _event("winner", game_id, seq, question_id=question_id, winner=who,
                  correct_answer=correct_answer, scores=scores(board))


def question_ended(game_id: str, seq: int, *, question_id: str, who: dict[str, str] | None,
                   correct_answer: str) -> dict[str, Any]:
    return _event("question_ended", game_id, seq, question_id=question_id, winner=who,
                  correct_answer=correct_answer)


def game_ended(game_id: str, seq: int, *, board: tuple[ScoreLine, ...]) -> dict[str, Any]:
    """The final scores of the players with points; everyone else ended with 0. The whole board
    would outgrow a message: ~70 bytes a player, and the broker takes 64 KB (IoT Core 128)."""
    return _event("game_ended", game_id, seq, scores=scores(tuple(
        line for line in board if line.score > 0)), players=len(board))


def error(error: DomainError, *, request_id: str | None, game_id: str | None
          ) -> dict[str, Any]:
    return error_message(error.code, error.message[:MAX_ERROR_TEXT], retryable=error.retryable,
                         request_id=request_id, game_id=game_id)
