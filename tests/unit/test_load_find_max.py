from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from load.find_max import Search, find_max, verdict
from load.scenario import Scenario, parse_scenario

pytestmark = pytest.mark.unit

SCENARIO = parse_scenario(
    {
        "name": "mix",
        "phases": [{"name": "p", "seconds": 1, "players": 1}],
        "behaviours": [{"mode": "single"}, {"mode": "hosted", "size": 3}],
    }
)


def _report(p95: float, errors: int = 0, count: int = 1000) -> dict[str, Any]:
    measured = {"count": count, "p95_ms": p95}
    return {
        "peak_players": 1,
        "players_by_phase": {"sustain": {"in_play_min": 7}},
        "modes": {
            "single": {
                "answer": measured,
                "unit": {"count": 5, "p95_ms": 9_000.0},
                "_totals": {"errors": errors},
            },
            "hosted": {"question": {"count": count, "p95_ms": 10.0}, "_totals": {"errors": 0}},
        },
    }


def test_steps_grow_by_the_factor_up_to_the_limit() -> None:
    assert Search(start=50, factor=2, limit=500).steps() == [50, 100, 200, 400]
    assert Search(start=1, factor=1.0, limit=3).steps() == [1, 2, 3]


def test_a_step_holds_within_p95_and_error_bounds_ignoring_whole_units() -> None:
    assert verdict(_report(p95=200.0), Search()) == []
    assert verdict(_report(p95=300.0), Search()) == ["single: p95 300.0 ms > 250.0 ms"]
    assert verdict(_report(p95=10.0, errors=1, count=999), Search()) == []
    assert "errors" in verdict(_report(p95=10.0, errors=2, count=998), Search())[0]


def test_the_search_stops_at_the_first_failing_step(tmp_path: Path) -> None:
    seen: list[int] = []

    async def step(scenario: Scenario, directory: Path) -> dict[str, Any]:
        players = scenario.phases[0].players
        seen.append(players)
        assert scenario.phases[1].seconds == 5  # the hold
        return _report(p95=100.0 if players < 400 else 900.0)

    search = Search(start=100, factor=2, limit=10_000, hold_seconds=5)
    result = asyncio.run(find_max(SCENARIO, search, step, tmp_path, lambda _: None))
    assert seen == [100, 200, 400]
    assert result["max_players_held"] == 200
    assert result["in_play_held"] == 7 and result["steps"][0]["in_play_min"] == 7
    assert [s["problems"] == [] for s in result["steps"]] == [True, True, False]
