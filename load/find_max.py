"""`trivia load --find-max`: the largest concurrent player count a scenario's mix holds.

Steps up the players (``start``, then times ``factor``, at most ``limit``); each step is the
scenario's behaviour mix ramped to that count over ``ramp_seconds`` and held ``hold_seconds``
(60 s by default). A step passes when, for every mode, the p95 of its measured action (answer,
question, scoreboard; not the whole unit) stays at or under ``p95_ms`` and errors stay at or
under ``max_error_rate`` of that mode's actions. The first failing step ends the search.

A step's count is of players in running units, registration and verification included; each
step also reports the fewest players in play (connected to a game, or playing) while it was
held, and the result names both for the largest step that held (``in_play_held``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from load.scenario import Scenario
from load.units import LATENCY_ACTION

P95_LIMIT_MS = 250.0
ERROR_RATE_LIMIT = 0.001
MAX_STEPS = 12

StepRunner = Callable[[Scenario, Path], Coroutine[Any, Any, dict[str, Any]]]


@dataclass(frozen=True)
class Search:
    start: int = 50
    factor: float = 2.0
    limit: int = 5_000
    hold_seconds: float = 60.0
    ramp_seconds: float = 20.0
    p95_ms: float = P95_LIMIT_MS
    max_error_rate: float = ERROR_RATE_LIMIT

    def steps(self) -> list[int]:
        counts: list[int] = []
        players = self.start
        while players <= self.limit and len(counts) < MAX_STEPS:
            counts.append(players)
            players = max(players + 1, round(players * self.factor))
        return counts


def verdict(report: dict[str, Any], search: Search) -> list[str]:
    """Why a step's report fails the bounds; empty when it holds."""
    problems = []
    for mode, actions in report["modes"].items():
        measured = actions.get(LATENCY_ACTION[mode], {})
        count = measured.get("count", 0)
        errors = actions.get("_totals", {}).get("errors", 0)
        p95 = measured.get("p95_ms")
        if p95 is not None and p95 > search.p95_ms:
            problems.append(f"{mode}: p95 {p95} ms > {search.p95_ms} ms")
        if errors and errors / max(1, count + errors) > search.max_error_rate:
            problems.append(f"{mode}: {errors} errors in {count + errors} actions")
        if count == 0 and not errors:
            problems.append(f"{mode}: nothing measured")
    return problems


async def find_max(
    scenario: Scenario,
    search: Search,
    run_step: StepRunner,
    report_dir: Path,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    held = 0
    in_play_held = 0
    for players in search.steps():
        progress(f"find-max: {players} players, held {search.hold_seconds:g} s ...")
        step = scenario.scaled(players, search.hold_seconds, search.ramp_seconds)
        report = await run_step(step, report_dir / f"step-{players}")
        problems = verdict(report, search)
        sustain = report.get("players_by_phase", {}).get("sustain", {})
        steps.append({
            "players": players, "peak_players": report["peak_players"],
            "in_play_min": sustain.get("in_play_min"), "problems": problems,
        })
        progress(f"find-max: {players} players: {'; '.join(problems) or 'held'}")
        if problems:
            break
        held, in_play_held = players, sustain.get("in_play_min", 0)
    return {
        "scenario": scenario.name,
        "max_players_held": held,
        "in_play_held": in_play_held,
        "hold_seconds": search.hold_seconds,
        "bounds": {"p95_ms": search.p95_ms, "max_error_rate": search.max_error_rate},
        "steps": steps,
    }
