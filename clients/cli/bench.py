"""`trivia bench`: our figures beside their floors, same machine, same run.

The table goes to stdout, progress to stderr; JSON and the table are kept in the report
directory. Exit status 1 when a figure's game reported errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from clients.cli.support import endpoints_option, load_endpoints, run_bots, stderr
from load.bench.run import run_bench, table, write
from load.run import default_report_dir


def parse_players(
    ctx: click.Context | None, param: click.Parameter | None, value: str
) -> list[int]:
    try:
        counts = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter("expected counts separated by commas, e.g. 100,1000") from None
    if not counts or any(n < 1 for n in counts):
        raise click.BadParameter("every count must be at least 1")
    return counts


@click.command()
@click.option(
    "--players",
    default="100,1000",
    show_default=True,
    callback=parse_players,
    help="Game sizes N, comma separated.",
)
@click.option("--concurrency", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--single-bots", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="Bots of the single-player figures.")
@click.option("--single-seconds", type=click.FloatRange(1, 3600), default=30.0,
              show_default=True, help="How long the bots play in the paced single figure.")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where bench.json and bench.txt go [default: load/reports/<UTC timestamp>].",
)
@endpoints_option
def bench(
    players: list[int], concurrency: int, single_bots: int, single_seconds: float,
    report_dir: Path | None, endpoints_file: Path | None,
) -> None:
    """Hosted, live, single and connect figures, each beside its floor."""
    endpoints = load_endpoints(endpoints_file)
    directory = report_dir or default_report_dir()
    report = run_bots(run_bench(endpoints, players, concurrency, stderr, directory,
                                   single_bots=single_bots, single_seconds=single_seconds))
    write(report, directory)
    click.echo(table(report))
    stderr(f"report: {directory / 'bench.json'}")
    if any(report["errors"].values()):
        sys.exit(1)
