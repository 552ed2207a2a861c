"""`trivia load SCENARIO`: a load scenario against the endpoints file; a report directory out.

Live progress on stderr; at the end the one-screen summary on stderr and the report's path on
stdout. Exit status 1 when any action failed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from clients.cli.support import CommandFailed, endpoints_option, load_endpoints, stderr
from load.run import default_report_dir, run_scenario
from load.scenario import ScenarioError, load_scenario


@click.command()
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the report goes [default: load/reports/<UTC timestamp>].",
)
@click.option("--seed", type=int, default=None, help="Override the scenario's seed.")
@endpoints_option
def load(
    scenario: Path, report_dir: Path | None, seed: int | None, endpoints_file: Path | None
) -> None:
    """Run a load SCENARIO (TOML, see load/scenarios/) and write its report."""
    endpoints = load_endpoints(endpoints_file)
    try:
        parsed = load_scenario(scenario)
    except ScenarioError as error:
        raise CommandFailed("bad_scenario", str(error)) from None
    directory = report_dir or default_report_dir()
    report = asyncio.run(run_scenario(endpoints, parsed, directory, stderr, seed))
    click.echo(str(directory / "report.json"))
    if report["errors"]:
        sys.exit(1)
