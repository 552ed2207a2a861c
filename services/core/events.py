"""Events fanned out over SNS from a finished play or game to the writers.

One ``PlayerResult`` per player per finished play/game. Writers are idempotent on
``result_key`` = (source, game, player): SNS delivers at least once, so a duplicate, a retry or
a replay must change nothing. ``ranked`` says whether this is the player's first completed play
of the quiz (the one that counts for the leaderboard and for experience).
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EXPERIENCE_PER_CORRECT_ANSWER = 10


class PlayerResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["player.result"] = "player.result"
    version: Literal[1] = 1
    source: Literal["single", "hosted", "live"]
    game_id: str = Field(min_length=1, max_length=128)
    quiz_id: str = Field(min_length=1, max_length=64)
    quiz_owner_id: str = Field(min_length=1, max_length=128)
    host_id: str | None = Field(default=None, max_length=128)
    player_id: str = Field(min_length=1, max_length=128)
    username: str = Field(min_length=1, max_length=128)
    score: int = Field(ge=0)
    correct: int = Field(ge=0)
    total: int = Field(ge=0)
    experience: int = Field(ge=0)
    ranked: bool
    won: bool = False
    completed_at: str

    @property
    def result_key(self) -> str:
        return f"{self.source}#{self.game_id}#{self.player_id}"

    def to_message(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_message(cls, message: str) -> PlayerResult:
        return cls.model_validate(json.loads(message))
