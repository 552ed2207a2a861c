"""`trivia demo`: bots playing against the running cloud, checked end to end.

`trivia demo single` prints one JSON line on stdout (mode, players, plays, errors, p50_ms,
p95_ms: the answer submission's latency) and exits 0 only when nothing went wrong. Progress and
error details go to stderr, so stdout stays machine-readable.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import click

from clients.bots.demo_single import DemoReport, DemoSettings, ProgressBar, run_single_demo
from clients.cli.support import endpoints_option, load_endpoints, run, stderr

RANGE = re.compile(r"^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$")


def parse_range(
    ctx: click.Context | None, param: click.Parameter | None, value: str
) -> tuple[int, int]:
    """``"0..200"`` -> (0, 200); ``"50"`` -> (50, 50)."""
    match = RANGE.match(value)
    if match is None:
        raise click.BadParameter("expected MIN..MAX in milliseconds, e.g. 0..200")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if high < low:
        raise click.BadParameter("MAX must not be below MIN")
    return low, high


def _progress(label: str, total: int) -> AbstractContextManager[ProgressBar]:
    return click.progressbar(length=total, label=label, file=sys.stderr)


@click.group()
def demo() -> None:
    """Demos: bots that play against the running cloud and check the outcome."""


@demo.command()
@click.option("--players", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--accuracy",
    type=click.FloatRange(0.0, 1.0),
    default=0.7,
    show_default=True,
    help="Chance that a bot answers a question right.",
)
@click.option(
    "--think-ms",
    default="0..200",
    show_default=True,
    callback=parse_range,
    help="Thinking time per question, MIN..MAX milliseconds.",
)
@click.option("--seed", type=int, help="Replay the bots' choices [default: random].")
@click.option("--concurrency", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option(
    "--verify-timeout",
    type=click.FloatRange(min=0.0),
    default=20.0,
    show_default=True,
    help="Seconds to wait for leaderboard and experience to catch up.",
)
@endpoints_option
def single(
    players: int,
    accuracy: float,
    think_ms: tuple[int, int],
    seed: int | None,
    concurrency: int,
    verify_timeout: float,
    endpoints_file: Path | None,
) -> None:
    """N bots play a fresh demo quiz over HTTP; leaderboard and experience are verified."""
    endpoints = load_endpoints(endpoints_file)
    if seed is None:
        seed = secrets.randbits(32)
    settings = DemoSettings(
        players=players,
        accuracy=accuracy,
        think_ms=think_ms,
        seed=seed,
        concurrency=concurrency,
        verify_timeout=verify_timeout,
    )
    report = run(run_single_demo(endpoints, settings, progress=_progress))
    _explain(report, seed)
    click.echo(json.dumps(report.summary()))
    if report.errors:
        sys.exit(1)


def _explain(report: DemoReport, seed: int) -> None:
    stderr(f"run {report.run_id}, seed {seed}, quiz {report.quiz_id or '-'}")
    for code, count in sorted(report.error_codes.items()):
        stderr(f"error {code} x{count}, e.g. {report.error_samples[code]}")


@demo.command()
@click.option("--players", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--mode", type=click.Choice(["casual", "competitive"]), default="casual", show_default=True
)
@click.option("--questions", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option(
    "--accuracy",
    type=click.FloatRange(0.0, 1.0),
    default=0.7,
    show_default=True,
    help="Chance that a bot answers a question right.",
)
@click.option(
    "--think-ms",
    default="0..300",
    show_default=True,
    callback=parse_range,
    help="Thinking time per question, MIN..MAX milliseconds.",
)
@click.option("--seed", type=int, help="Replay the quiz and the bots' choices [default: random].")
@click.option("--concurrency", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option(
    "--verify-timeout",
    type=click.FloatRange(min=0.0),
    help="Seconds to wait for leaderboard and experience to catch up [default: 30 + 1 per player].",
)
@endpoints_option
def hosted(
    players: int,
    mode: str,
    questions: int,
    accuracy: float,
    think_ms: tuple[int, int],
    seed: int | None,
    concurrency: int,
    verify_timeout: float | None,
    endpoints_file: Path | None,
) -> None:
    """A host bot runs a game over WebSocket for N player bots; the results are verified."""
    from clients.bots.demo_hosted import HostedDemoSettings, run_hosted_demo

    if mode == "competitive" and questions < 2:
        raise click.BadParameter("a competitive game needs at least 2 questions (2 rounds)")
    endpoints = load_endpoints(endpoints_file)
    if seed is None:
        seed = secrets.randbits(32)
    common = DemoSettings(
        players=players,
        accuracy=accuracy,
        think_ms=think_ms,
        seed=seed,
        concurrency=concurrency,
        verify_timeout=30.0 + players if verify_timeout is None else verify_timeout,
    )
    settings = HostedDemoSettings(demo=common, mode=mode, questions=questions)
    report = run(run_hosted_demo(endpoints, settings, progress=_progress))
    _explain(report, seed)
    click.echo(json.dumps(report.summary()))
    if report.errors:
        sys.exit(1)


@demo.command()
@click.option("--players", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--questions", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option(
    "--accuracy",
    type=click.FloatRange(0.0, 1.0),
    default=0.7,
    show_default=True,
    help="Chance that a bot answers a question right (one bot always knows the answer).",
)
@click.option(
    "--think-ms",
    default="0..300",
    show_default=True,
    callback=parse_range,
    help="Thinking time per question, MIN..MAX milliseconds.",
)
@click.option("--seed", type=int, help="Replay the quiz and the bots' choices [default: random].")
@click.option("--concurrency", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option(
    "--verify-timeout",
    type=click.FloatRange(min=0.0),
    help="Seconds to wait for leaderboard and experience to catch up [default: 30 + 1 per player].",
)
@endpoints_option
def live(
    players: int,
    questions: int,
    accuracy: float,
    think_ms: tuple[int, int],
    seed: int | None,
    concurrency: int,
    verify_timeout: float | None,
    endpoints_file: Path | None,
) -> None:
    """A host bot runs a live-scoreboard game over MQTT for N player bots; first correct answer
    wins. Exits 0 only without errors and with exactly one winner per question."""
    from clients.bots.demo_live import LiveDemoSettings, run_live_demo

    endpoints = load_endpoints(endpoints_file)
    if seed is None:
        seed = secrets.randbits(32)
    common = DemoSettings(
        players=players,
        accuracy=accuracy,
        think_ms=think_ms,
        seed=seed,
        concurrency=concurrency,
        verify_timeout=30.0 + players if verify_timeout is None else verify_timeout,
    )
    settings = LiveDemoSettings(demo=common, questions=questions)
    report = run(run_live_demo(endpoints, settings, progress=_progress))
    _explain(report, seed)
    click.echo(json.dumps(report.summary()))
    if not report.ok:
        sys.exit(1)
