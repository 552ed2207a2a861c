from __future__ import annotations

from pathlib import Path

import pytest

from load.scenario import Behaviour, Phase, Scenario, ScenarioError, load_scenario, parse_scenario

pytestmark = pytest.mark.unit

SCENARIOS = Path(__file__).resolve().parents[2] / "load" / "scenarios"


def _scenario(**changes: object) -> Scenario:
    data: dict[str, object] = {
        "name": "t",
        "seed": 3,
        "phases": [
            {"name": "ramp-up", "seconds": 10, "players": 100},
            {"name": "sustain", "seconds": 10, "players": 100},
            {"name": "ramp-down", "seconds": 10, "players": 0},
        ],
        "behaviours": [{"mode": "single"}, {"mode": "hosted", "size": 4, "profile": "slow"}],
    }
    data.update(changes)
    return parse_scenario(data)


def test_targets_ramp_linearly_through_the_phases() -> None:
    scenario = _scenario()
    assert scenario.target_at(0) == ("ramp-up", 0)
    assert scenario.target_at(5) == ("ramp-up", 50)
    assert scenario.target_at(15) == ("sustain", 100)
    assert scenario.target_at(25) == ("ramp-down", 50)
    assert scenario.target_at(31) == ("drain", 0)
    assert scenario.seconds == 30 and scenario.peak_players == 100


def test_a_game_unit_holds_its_host_too() -> None:
    hosted = _scenario().behaviours[1]
    assert hosted.players == 5
    assert Behaviour("single", size=9).players == 1


def test_profiles_set_accuracy_and_think_time_unless_overridden() -> None:
    assert Behaviour("single", profile="wrong").answering()[0] == 0.0
    custom = parse_scenario(
        {
            "phases": [{"name": "p", "seconds": 1, "players": 1}],
            "behaviours": [{"mode": "live", "accuracy": 0.5, "think_ms": [10, 20]}],
        }
    )
    assert custom.behaviours[0].answering() == (0.5, (10, 20))


@pytest.mark.parametrize(
    "changes",
    [
        {"behaviours": [{"mode": "bingo"}]},
        {"behaviours": [{"mode": "single", "profile": "sleepy"}]},
        {"behaviours": [{"mode": "single", "colour": "red"}]},
        {"behaviours": []},
        {"phases": []},
        {"phases": [{"name": "p", "seconds": -1, "players": 1}]},
        {"behaviours": [{"mode": "hosted", "disconnect": 2}]},
    ],
)
def test_malformed_scenarios_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ScenarioError):
        _scenario(**changes)


def test_without_live_keeps_the_other_modes() -> None:
    scenario = _scenario(behaviours=[{"mode": "single"}, {"mode": "live"}])
    assert [b.mode for b in scenario.without_modes(["live"]).behaviours] == ["single"]
    with pytest.raises(ScenarioError):
        _scenario(behaviours=[{"mode": "live"}]).without_modes(["live"])


def test_scaled_is_a_ramp_a_hold_and_a_stop() -> None:
    step = _scenario().scaled(400, hold_seconds=60, ramp_seconds=20)
    assert step.phases == (
        Phase("ramp-up", 20, 400),
        Phase("sustain", 60, 400),
        Phase("ramp-down", 0.0, 0),
    )
    assert step.behaviours == _scenario().behaviours


@pytest.mark.parametrize("name", ["smoke", "mixed", "evening"])
def test_shipped_scenarios_parse_and_cover_every_mode(name: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    assert scenario.name == name
    assert {b.mode for b in scenario.behaviours} == {"single", "hosted", "live"}
