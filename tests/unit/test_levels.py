"""Levels by experience: thresholds 100, 250, 500, 800, 1100, 1500, 3000, 10000, 25000, 50000."""

from __future__ import annotations

import pytest

from services.players.levels import LEVEL_THRESHOLDS, MAX_LEVEL, Level, level_for

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("experience", "level", "next_level_at"),
    [
        (0, 1, 100),
        (99, 1, 100),
        (100, 2, 250),
        (249, 2, 250),
        (250, 3, 500),
        (799, 4, 800),
        (800, 5, 1100),
        (1100, 6, 1500),
        (1500, 7, 3000),
        (2999, 7, 3000),
        (3000, 8, 10000),
        (10000, 9, 25000),
        (25000, 10, 50000),
        (49999, 10, 50000),
        (50000, 11, None),
        (10**9, 11, None),
    ],
)
def test_level_for_experience(experience: int, level: int, next_level_at: int | None) -> None:
    assert level_for(experience) == Level(level=level, next_level_at=next_level_at)


def test_every_threshold_starts_the_next_level_exactly() -> None:
    for index, threshold in enumerate(LEVEL_THRESHOLDS):
        assert level_for(threshold - 1).level == index + 1
        assert level_for(threshold).level == index + 2
    assert MAX_LEVEL == 11
