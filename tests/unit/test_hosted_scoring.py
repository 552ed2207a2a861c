"""The documented speed formula (docs/websocket.md, "Scoring")."""

from __future__ import annotations

import pytest

from services.hosted.scoring import points_for

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("elapsed_ms", "limit", "expected"),
    [
        (0, 20, 1000),
        (500, 20, 1000),  # within half a second: full points
        (20_000, 20, 500),  # at the deadline: half
        (10_250, 20, 750),  # halfway through the scoring span
        (25_000, 20, 500),  # clamped (the store refuses late answers anyway)
        (2_750, 5, 750),
        (501, 20, 1000),  # 999.97 rounds up
        (600, 20, 997),
    ],
)
def test_points_fall_linearly_from_full_to_half(elapsed_ms: int, limit: int,
                                                expected: int) -> None:
    assert points_for(elapsed_ms, limit, correct=True) == expected


def test_wrong_answers_earn_nothing_however_fast() -> None:
    assert points_for(0, 20, correct=False) == 0


def test_points_never_increase_with_time() -> None:
    values = [points_for(ms, 20, correct=True) for ms in range(0, 21_000, 50)]
    assert values == sorted(values, reverse=True)
    assert min(values) == 500 and max(values) == 1000
