"""The first-completion marker: one item in the plays table per (quiz, player).

Present once the player has completed the quiz in any mode; the play or game that wrote it is
the one that counts for the leaderboard and for experience ("first completed play counts").
Single player writes it in the submission's transaction; hosted and live games at their end.
"""

from __future__ import annotations

FIRST_COMPLETION = "first_completion"  # the marker's item_type


def first_completion_key(quiz_id: str, player_id: str) -> str:
    return f"first#{quiz_id}#{player_id}"
