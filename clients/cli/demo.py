"""`trivia demo`: bots playing against the running cloud, checked end to end.

`trivia demo single` prints one JSON line on stdout (mode, players, plays, errors, p50_ms,
p95_ms: the answer submission's latency) and exits 0 only when nothing went wrong; `hosted` and
`live` likewise, with their own figures. Progress and error details go to stderr, so stdout
stays machine-readable. The three share their bot options (``demo_options``).
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import click

from clients.bots.demo_setup import DemoReport, DemoSettings, ProgressBar
from clients.bots.demo_single import run_single_demo
from clients.cli.support import endpoints_option, load_endpoints, run, stderr

Command = Callable[..., None]
Decorator = Callable[[Command], Command]

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


def demo_options(
    *,
    think_ms: str,
    accuracy_help: str = "Chance that a bot answers a question right.",
    seed_help: str = "Replay the quiz and the bots' choices [default: random].",
    verify_timeout: float | None = None,
    extra: Sequence[Decorator] = (),
) -> Decorator:
    """The options every demo takes (``extra``, the mode's own, come after ``--players``).

    Without a ``verify_timeout`` default the command gets None: 30 s plus 1 per player.
    """
    verify_help = "Seconds to wait for leaderboard and experience to catch up."
    if verify_timeout is None:
        verify_help = verify_help[:-1] + " [default: 30 + 1 per player]."
    options: list[Decorator] = [
        click.option("--players", type=click.IntRange(min=1), default=10, show_default=True),
        *extra,
        click.option(
            "--accuracy",
            type=click.FloatRange(0.0, 1.0),
            default=0.7,
            show_default=True,
            help=accuracy_help,
        ),
        click.option(
            "--think-ms",
            default=think_ms,
            show_default=True,
            callback=parse_range,
            help="Thinking time per question, MIN..MAX milliseconds.",
        ),
        click.option("--seed", type=int, help=seed_help),
        click.option("--concurrency", type=click.IntRange(1, 500), default=20, show_default=True),
        click.option(
            "--verify-timeout",
            type=click.FloatRange(min=0.0),
            default=verify_timeout,
            show_default=verify_timeout is not None,
            help=verify_help,
        ),
        endpoints_option,
    ]

    def decorate(command: Command) -> Command:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def demo_settings(
    players: int,
    accuracy: float,
    think_ms: tuple[int, int],
    seed: int | None,
    concurrency: int,
    verify_timeout: float | None,
) -> DemoSettings:
    """The demo's settings from its options; a seed is drawn when none was given."""
    return DemoSettings(
        players=players,
        accuracy=accuracy,
        think_ms=think_ms,
        seed=secrets.randbits(32) if seed is None else seed,
        concurrency=concurrency,
        verify_timeout=30.0 + players if verify_timeout is None else verify_timeout,
    )


def finish(report: DemoReport, settings: DemoSettings, *, ok: bool) -> None:
    """Details on stderr, the JSON line on stdout; exit status 1 unless ``ok``."""
    stderr(f"run {report.run_id}, seed {settings.seed}, quiz {report.quiz_id or '-'}")
    for code, count in sorted(report.error_codes.items()):
        stderr(f"error {code} x{count}, e.g. {report.error_samples[code]}")
    click.echo(json.dumps(report.summary()))
    if not ok:
        sys.exit(1)


@click.group()
def demo() -> None:
    """Demos: bots that play against the running cloud and check the outcome."""


@demo.command()
@demo_options(
    think_ms="0..200",
    seed_help="Replay the bots' choices [default: random].",
    verify_timeout=20.0,
)
def single(endpoints_file: Path | None, **options: Any) -> None:
    """N bots play a fresh demo quiz over HTTP; leaderboard and experience are verified."""
    endpoints = load_endpoints(endpoints_file)
    settings = demo_settings(**options)
    report = run(run_single_demo(endpoints, settings, progress=_progress))
    finish(report, settings, ok=not report.errors)


@demo.command()
@demo_options(
    think_ms="0..300",
    extra=[
        click.option(
            "--mode",
            type=click.Choice(["casual", "competitive"]),
            default="casual",
            show_default=True,
        ),
        click.option("--questions", type=click.IntRange(1, 100), default=5, show_default=True),
    ],
)
def hosted(mode: str, questions: int, endpoints_file: Path | None, **options: Any) -> None:
    """A host bot runs a game over WebSocket for N player bots; the results are verified."""
    from clients.bots.demo_hosted import HostedDemoSettings, run_hosted_demo

    if mode == "competitive" and questions < 2:
        raise click.BadParameter("a competitive game needs at least 2 questions (2 rounds)")
    endpoints = load_endpoints(endpoints_file)
    common = demo_settings(**options)
    settings = HostedDemoSettings(demo=common, mode=mode, questions=questions)
    report = run(run_hosted_demo(endpoints, settings, progress=_progress))
    finish(report, common, ok=not report.errors)


@demo.command()
@demo_options(
    think_ms="0..300",
    accuracy_help="Chance that a bot answers a question right (one bot always knows the answer).",
    extra=[click.option("--questions", type=click.IntRange(1, 100), default=5, show_default=True)],
)
def live(questions: int, endpoints_file: Path | None, **options: Any) -> None:
    """A host bot runs a live-scoreboard game over MQTT for N player bots; first correct answer
    wins. Exits 0 only without errors and with exactly one winner per question."""
    from clients.bots.demo_live import LiveDemoSettings, run_live_demo

    endpoints = load_endpoints(endpoints_file)
    common = demo_settings(**options)
    settings = LiveDemoSettings(demo=common, questions=questions)
    report = run(run_live_demo(endpoints, settings, progress=_progress))
    finish(report, common, ok=report.ok)
