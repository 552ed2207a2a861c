"""Who earns what from a result or a game (PRODUCT.md: players earn experience from correct
answers; a quiz's owner and a game's host also earn the experience their players earn).

A single-player result credits its player and the quiz's owner. A hosted or live result credits
its player only (``credit_owner_and_host`` is false): the game's owner and host are credited
once per game, from its ``GameCredits``. Each credit is applied once per (result or game,
beneficiary, role), whatever SNS redelivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.core.events import GameCredits, PlayerResult

Role = Literal["player", "owner", "host"]


@dataclass(frozen=True)
class Credit:
    beneficiary_id: str
    role: Role
    experience: int
    wins: int = 0


def credits_for(result: PlayerResult) -> list[Credit]:
    """The credits a result earns. Unranked results carry 0 experience, so earn nothing
    unless won; nobody earns twice from their own play as its owner or host."""
    credits: list[Credit] = []
    if result.experience > 0 or result.won:
        credits.append(
            Credit(result.player_id, "player", result.experience, wins=1 if result.won else 0)
        )
    if result.experience <= 0 or not result.credit_owner_and_host:
        return credits
    if result.quiz_owner_id != result.player_id:
        credits.append(Credit(result.quiz_owner_id, "owner", result.experience))
    if result.host_id and result.host_id != result.player_id:
        credits.append(Credit(result.host_id, "host", result.experience))
    return credits


def credits_for_game(event: GameCredits) -> list[Credit]:
    """The owner's and host's credits from a whole game; a credit of 0 writes nothing."""
    return [
        Credit(credit.player_id, credit.role, credit.experience)
        for credit in event.credits
        if credit.experience > 0
    ]
