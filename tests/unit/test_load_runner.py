"""The orchestrator and the report, with a fake unit runner: no network, no cloud."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from clients.sdk.endpoints import Endpoints
from load.orchestrator import Runner
from load.plots import write_plots
from load.report import build_report, summary_text, write_report
from load.scenario import parse_scenario
from load.units import (
    LATENCY_ACTION,
    Activity,
    UnitOutcome,
    UnitPlan,
    answers_of,
    split_expected,
)

pytestmark = pytest.mark.unit

# Nobody listens here: the cloud probe finds no process, and there is no Redis URL.
ENDPOINTS = Endpoints(
    http_api_url="http://192.0.2.1:9", region="us-east-1", user_pool_id="p", user_pool_client_id="c"
)
SCENARIO = parse_scenario(
    {
        "name": "fake",
        "seed": 5,
        "tick_seconds": 0.01,
        "drain_seconds": 2,
        "max_units": 12,
        "phases": [
            {"name": "ramp-up", "seconds": 0.05, "players": 9},
            {"name": "sustain", "seconds": 0.05, "players": 9},
        ],
        "behaviours": [
            {"mode": "single"},
            {"mode": "hosted", "size": 2, "questions": 2},
            {"mode": "live", "size": 2, "questions": 2},
        ],
    }
)


async def fake_unit(endpoints: Endpoints, plan: UnitPlan, activity: Activity) -> UnitOutcome:
    with activity("connecting", plan.behaviour.players) as connecting:
        connecting.update(plan.behaviour.players)
    await asyncio.sleep(0.01)
    if plan.behaviour.mode == "live" and plan.number % 2:
        raise RuntimeError("broker gone")
    outcome = UnitOutcome(plan, latencies_ms=[1.0, 2.0, 3.0])
    if plan.behaviour.mode == "hosted":
        outcome.error_counts = {"play:timeout": 1}
        outcome.errors = {"play:timeout": "a bot gave up"}
    outcome.answers = answers_of(plan.behaviour, plays=plan.behaviour.size)
    return outcome


def _run() -> tuple[Runner, dict[str, object]]:
    lines: list[str] = []
    runner = Runner(ENDPOINTS, SCENARIO, lines.append, unit_runner=fake_unit)
    result = asyncio.run(runner.run())
    return runner, build_report(result)


def test_units_follow_the_target_and_stop_at_max_units() -> None:
    runner, report = _run()
    assert 1 <= runner.started <= SCENARIO.max_units
    assert runner.finished == runner.started
    assert runner.peak <= 9 + max(b.players for b in SCENARIO.behaviours) - 1
    assert report["units"] == {"started": runner.started, "finished": runner.started}


def test_players_in_play_are_reported_per_phase_beside_those_in_units() -> None:
    _, report = _run()
    phases = report["players_by_phase"]
    assert isinstance(phases, dict) and set(phases) <= {"ramp-up", "sustain"}
    for counts in phases.values():
        assert 0 <= counts["in_play_min"] <= counts["in_play_max"] <= counts["players_max"]
        assert counts["players_min"] <= counts["players_max"]
    assert "in play" in summary_text(report)


def test_a_units_activity_follows_its_demos_phases() -> None:
    game, single = Activity(), Activity()
    with game("registering bots", 3) as registering:
        registering.update(3)
    assert game.in_play == 0  # registering is not playing
    with game("connecting", 4) as connecting:
        connecting.update(1)
        assert game.in_play == 1
        connecting.update(3)
    with game("playing (players done)", 3) as playing:
        playing.update(3)  # a game's seats stay in play until the table closes
    assert game.in_play == 4
    with game("closing", 4):
        assert game.in_play == 0
    with single("playing", 1) as play:
        assert single.in_play == 1
        play.update(1)
    assert single.in_play == 0


def test_every_behaviour_runs_first_so_every_mode_is_reported() -> None:
    _, report = _run()
    modes = report["modes"]
    assert isinstance(modes, dict)
    assert set(modes) == {"single", "hosted", "live"}
    assert all(actions["_totals"]["units"] >= 1 for actions in modes.values())
    for mode in ("single", "hosted"):  # every live unit may have crashed, by design
        assert {"unit", LATENCY_ACTION[mode]} <= set(modes[mode])


def test_errors_keep_their_codes_and_crashes_are_errors_too() -> None:
    _, report = _run()
    modes = report["modes"]
    assert isinstance(modes, dict)
    assert modes["hosted"]["question"]["errors_by_code"]["play:timeout"] >= 1
    live_errors = modes["live"]["unit"]["errors_by_code"]
    assert set(live_errors) <= {"crash:RuntimeError"}
    assert report["errors"] == sum(m["_totals"]["errors"] for m in modes.values())


def test_without_a_local_cloud_the_probes_say_why() -> None:
    _, report = _run()
    assert report["cloud"]["available"] is False  # type: ignore[index]
    assert report["redis"]["available"] is False  # type: ignore[index]
    assert "moto" in report["dynamodb"]["why"]  # type: ignore[index]


def test_report_summary_and_plots_are_written(tmp_path: Path) -> None:
    runner, report = _run()
    path = write_report(report, tmp_path)
    assert path.read_text(encoding="utf-8").startswith("{")
    text = summary_text(report)
    assert "single" in text and "answer" in text and "errors" in text
    assert len(text.splitlines()) < 40  # one screen
    plots = write_plots(runner.recorder.samples, tmp_path, "fake")
    assert all(p.stat().st_size > 0 for p in plots)


def test_late_answerers_refusals_are_expected_not_errors() -> None:
    codes = {"answer_refused:deadline_passed": 2, "connect:timeout": 1}
    late = parse_scenario(
        {
            "phases": [{"name": "p", "seconds": 1, "players": 1}],
            "behaviours": [{"mode": "hosted", "profile": "late"}, {"mode": "hosted"}],
        }
    ).behaviours
    assert split_expected(late[0], codes) == (
        {"connect:timeout": 1},
        {"answer_refused:deadline_passed": 2},
    )
    assert split_expected(late[1], codes) == (codes, {})
