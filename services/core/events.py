"""Events fanned out over SNS from a finished play or game to the writers.

Two events, told apart by ``type`` (``WriterEvent`` is their discriminated union):

- ``PlayerResult`` (``player.result``): one per player per finished play/game, to the
  leaderboard and progress topics. Writers are idempotent on ``result_key`` = (source, game,
  player). ``ranked`` says whether this is the player's first completed play of the quiz (the
  one that counts for the leaderboard and for experience). ``credit_owner_and_host`` says
  whether the progress writer also credits the quiz's owner and the game's host from it: yes
  for a single-player play (the owner is credited per play); no for hosted and live games,
  whose owner and host credits come in one ``GameCredits`` per game.
- ``GameCredits`` (``game.credits``): one per finished hosted or live game, to the progress
  topic only. Each credit is idempotent on (source, game, beneficiary, role), so a game's end
  writes one credit per role instead of one per player on the same hot profile item.

SNS delivers at least once: a duplicate, a retry or a replay of either event changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

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
    # False when the game sends its owner and host credits as one GameCredits instead.
    credit_owner_and_host: bool = True

    @property
    def result_key(self) -> str:
        return f"{self.source}#{self.game_id}#{self.player_id}"

    def to_message(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_message(cls, message: str) -> PlayerResult:
        return cls.model_validate(json.loads(message))


class RoleCredit(BaseModel):
    """What one beneficiary earns in one role from a whole game."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    player_id: str = Field(min_length=1, max_length=128)
    role: Literal["owner", "host"]
    experience: int = Field(ge=0)


class GameCredits(BaseModel):
    """The owner's and the host's credits for one finished hosted or live game.

    At most one credit per role; the owner and the host may be the same player, who then gets
    two credits, one per role (decision 0007).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["game.credits"] = "game.credits"
    version: Literal[1] = 1
    source: Literal["hosted", "live"]
    game_id: str = Field(min_length=1, max_length=128)
    quiz_id: str = Field(min_length=1, max_length=64)
    credits: tuple[RoleCredit, ...] = Field(max_length=2)
    completed_at: str

    @model_validator(mode="after")
    def _one_credit_per_role(self) -> GameCredits:
        roles = [credit.role for credit in self.credits]
        if len(roles) != len(set(roles)):
            raise ValueError("a game credits each role once")
        return self

    @property
    def credit_key(self) -> str:
        """With the beneficiary and role, what makes a credit once: (source, game)."""
        return f"{self.source}#{self.game_id}"

    def to_message(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_message(cls, message: str) -> GameCredits:
        return cls.model_validate(json.loads(message))


WriterEvent = Annotated[PlayerResult | GameCredits, Field(discriminator="type")]
_WRITER_EVENT: TypeAdapter[PlayerResult | GameCredits] = TypeAdapter(WriterEvent)


def event_from_message(message: str) -> PlayerResult | GameCredits:
    """Either event, by its ``type``; ``ValidationError`` for anything else."""
    return _WRITER_EVENT.validate_json(message)


def game_credits(
    *,
    source: Literal["hosted", "live"],
    game_id: str,
    quiz_id: str,
    quiz_owner_id: str,
    host_id: str | None,
    results: Sequence[PlayerResult],
    completed_at: str,
) -> GameCredits:
    """The owner's and the host's credits from a game's results: each earns the experience of
    every player but themselves (nobody is credited as owner or host of their own result)."""

    def earned_by(beneficiary: str) -> int:
        return sum(r.experience for r in results if r.player_id != beneficiary)

    beneficiaries: list[tuple[Literal["owner", "host"], str | None]] = [
        ("owner", quiz_owner_id), ("host", host_id)]
    return GameCredits(
        source=source, game_id=game_id, quiz_id=quiz_id, completed_at=completed_at,
        credits=tuple(
            RoleCredit(player_id=player_id, role=role, experience=earned_by(player_id))
            for role, player_id in beneficiaries if player_id
        ),
    )
