"""Levels by experience (PRODUCT.md, "Accounts and players").

Level 1 below the first threshold; each threshold reached adds a level, so 50000+ is level 11.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

LEVEL_THRESHOLDS = (100, 250, 500, 800, 1100, 1500, 3000, 10000, 25000, 50000)
MAX_LEVEL = len(LEVEL_THRESHOLDS) + 1


@dataclass(frozen=True)
class Level:
    level: int
    next_level_at: int | None  # the experience that reaches the next level; None at the top


def level_for(experience: int) -> Level:
    reached = bisect_right(LEVEL_THRESHOLDS, experience)
    upcoming = LEVEL_THRESHOLDS[reached] if reached < len(LEVEL_THRESHOLDS) else None
    return Level(level=reached + 1, next_level_at=upcoming)
