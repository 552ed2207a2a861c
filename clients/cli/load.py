"""`trivia load SCENARIO`: a load scenario against the endpoints file; a report directory out.

Live progress on stderr; at the end the one-screen summary on stderr and the report's path on
stdout. Exit status 1 when any action failed. With ``--find-max``, steps the scenario's mix up
(load/find_max.py) and writes ``find_max.json``: the largest player count held.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from clients.cli.support import CommandFailed, endpoints_option, load_endpoints, run_bots, stderr
from clients.sdk.endpoints import Endpoints
from load.find_max import Search, find_max
from load.run import default_report_dir, run_scenario
from load.scenario import Scenario, ScenarioError, load_scenario


@click.command()
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the report goes [default: load/reports/<UTC timestamp>].",
)
@click.option("--seed", type=int, default=None, help="Override the scenario's seed.")
@click.option(
    "--find-max",
    is_flag=True,
    help="Step the scenario's mix up until a mode's p95 passes 250 ms or errors pass 0.1%.",
)
@click.option("--hold-seconds", type=click.FloatRange(min=1), default=60.0, show_default=True)
@click.option("--ramp-seconds", type=click.FloatRange(min=0), default=20.0, show_default=True)
@click.option("--start-players", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--max-players", type=click.IntRange(min=1), default=5000, show_default=True)
@endpoints_option
def load(
    scenario: Path,
    report_dir: Path | None,
    seed: int | None,
    find_max: bool,
    hold_seconds: float,
    ramp_seconds: float,
    start_players: int,
    max_players: int,
    endpoints_file: Path | None,
) -> None:
    """Run a load SCENARIO (TOML, see load/scenarios/) and write its report."""
    endpoints = load_endpoints(endpoints_file)
    try:
        parsed = load_scenario(scenario)
    except ScenarioError as error:
        raise CommandFailed("bad_scenario", str(error)) from None
    directory = report_dir or default_report_dir()
    if find_max:
        search = Search(
            start=start_players,
            limit=max_players,
            hold_seconds=hold_seconds,
            ramp_seconds=ramp_seconds,
        )
        _find_max(endpoints, parsed, search, directory, seed)
        return
    report = run_bots(run_scenario(endpoints, parsed, directory, stderr, seed))
    click.echo(str(directory / "report.json"))
    if report["errors"]:
        sys.exit(1)


def _find_max(
    endpoints: Endpoints, scenario: Scenario, search: Search, directory: Path, seed: int | None
) -> None:
    async def step(each: Scenario, step_dir: Path) -> dict[str, Any]:
        return await run_scenario(endpoints, each, step_dir, stderr, seed)

    result = run_bots(find_max(scenario, search, step, directory, stderr))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "find_max.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    stderr(
        f"largest concurrent players held {search.hold_seconds:g} s: {result['max_players_held']}"
        f" (in play throughout: at least {result['in_play_held']})"
    )
    click.echo(str(path))
