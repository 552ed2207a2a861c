"""The single-player demo: an author, a quiz, N bots playing it, and a check that it all adds up.

1. Register a fresh author (names unique per run), create and activate a small quiz, export it
   to build the answer key the bots may use (they are right with probability ``accuracy``).
2. Register and log in N bots, ``concurrency`` at a time.
3. Every bot starts a play and submits (the HTTP shell drives the Sans-I/O brain).
4. Verify what the asynchronous writers did (demo_checks.py): leaderboard and experience.

Errors are counted by code: a failed call, a result that disagrees with the bot's intent, a
leaderboard or profile that has not caught up within ``verify_timeout``.
"""

from __future__ import annotations

import asyncio
import math
import random
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from clients.bots.demo_checks import Expectations, result_problems, verify_writers
from clients.bots.shells.http_single import BotRun, play_single
from clients.bots.single import BotSettings, SingleBot
from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import TriviaError
from clients.sdk.transport import new_session

T = TypeVar("T")

DEMO_QUIZ: dict[str, Any] = {
    "name": "Demo quiz",
    "description": "Made by `trivia demo single`.",
    "category": "demo",
    "mode": "single",
    "questions": [
        {
            "type": "multiple_choice",
            "text": "Which planet is known as the Red Planet?",
            "options": ["Venus", "Mars", "Jupiter", "Mercury"],
            "answer": "Mars",
        },
        {
            "type": "multiple_choice",
            "text": "How many sides has a hexagon?",
            "options": ["5", "6", "8"],
            "answer": "6",
        },
        {"type": "open", "text": "What is the chemical symbol of gold?", "answer": "Au"},
        {
            "type": "multiple_choice",
            "text": "The Pacific is the largest ocean.",
            "options": ["True", "False"],
            "answer": "True",
        },
        {
            "type": "open",
            "text": "Which city is the capital of Japan?",
            "answer": "Tokyo",
            "alternatives": ["Tōkyō"],
        },
    ],
}


class ProgressBar(Protocol):
    def update(self, n_steps: int) -> None: ...


Progress = Callable[[str, int], AbstractContextManager[ProgressBar]]


class _NoProgress:
    def update(self, n_steps: int) -> None:
        pass


def no_progress(label: str, total: int) -> AbstractContextManager[ProgressBar]:
    return nullcontext(_NoProgress())


@dataclass(frozen=True)
class DemoSettings:
    players: int
    accuracy: float = 0.7
    think_ms: tuple[int, int] = (0, 200)
    seed: int | None = None
    concurrency: int = 20
    verify_timeout: float = 20.0

    def __post_init__(self) -> None:
        if self.players < 1:
            raise ValueError("players must be at least 1")
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        BotSettings(accuracy=self.accuracy, think_seconds=self.think_seconds)  # validates

    @property
    def think_seconds(self) -> tuple[float, float]:
        return self.think_ms[0] / 1000, self.think_ms[1] / 1000


@dataclass
class DemoReport:
    players: int
    plays: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)
    error_samples: dict[str, str] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    quiz_id: str | None = None
    run_id: str = ""

    @property
    def errors(self) -> int:
        return sum(self.error_codes.values())

    def error(self, code: str, message: str) -> None:
        self.error_codes[code] += 1
        self.error_samples.setdefault(code, message)

    def summary(self) -> dict[str, Any]:
        return {
            "mode": "single",
            "players": self.players,
            "plays": self.plays,
            "errors": self.errors,
            "p50_ms": percentile(self.latencies_ms, 50),
            "p95_ms": percentile(self.latencies_ms, 95),
        }


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile, rounded to 0.1 ms; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, math.ceil(pct / 100 * len(ordered)) - 1)
    return round(ordered[index], 1)


@dataclass
class Bot:
    username: str
    client: TriviaClient
    run: BotRun | None = None


async def run_single_demo(
    endpoints: Endpoints, settings: DemoSettings, progress: Progress = no_progress
) -> DemoReport:
    run_id = secrets.token_hex(4)  # fresh names every run, whatever the seed
    report = DemoReport(players=settings.players, run_id=run_id)
    async with new_session(connection_limit=settings.concurrency) as session:
        try:
            author = await _new_player(endpoints, session, f"demo_{run_id}_author")
            quiz_id, knowledge = await _publish_quiz(author, run_id)
        except TriviaError as error:
            report.error(f"setup:{error.code}", error.message)
            return report
        report.quiz_id = quiz_id
        bots = await _register_bots(endpoints, session, settings, run_id, report, progress)
        await _play(bots, quiz_id, knowledge, settings, report, progress)
        expectations = _expectations(bots, report)
        players = {bot.username: bot.client for bot in bots if _completed(bot)}
        mismatches = await verify_writers(
            author,
            players,
            quiz_id,
            expectations,
            timeout=settings.verify_timeout,
            concurrency=settings.concurrency,
        )
        for code, problem in mismatches:
            report.error(code, problem)
    return report


async def _new_player(endpoints: Endpoints, session: Any, username: str) -> TriviaClient:
    password = f"Demo-{secrets.token_urlsafe(12)}-9a!"  # upper, lower, digit and symbol
    client = TriviaClient(endpoints, session)  # shares, and never closes, the demo's session
    await client.register(username, f"{username}@example.com", password)
    await client.login(username, password)
    return client


async def _publish_quiz(author: TriviaClient, run_id: str) -> tuple[str, dict[str, str]]:
    created = await author.create_quiz({**DEMO_QUIZ, "name": f"Demo quiz {run_id}"})
    await author.activate_quiz(created["quiz_id"])
    exported = await author.export_quiz(created["quiz_id"])
    return created["quiz_id"], answer_key(created["questions"], exported["questions"])


def answer_key(
    stored: Sequence[Mapping[str, Any]], exported: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """Question id -> answer: ids from the stored quiz, answers from the export, by position.

    The export is the owner's document (no ids); the texts must line up, or the key is wrong.
    """
    if [q["text"] for q in stored] != [q["text"] for q in exported]:
        raise ValueError("the export does not list the quiz's questions in order")
    return {str(s["question_id"]): str(e["answer"]) for s, e in zip(stored, exported, strict=True)}


async def _bounded(limit: int, jobs: Iterable[Awaitable[T]], bar: ProgressBar) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[T]) -> T:
        async with gate:
            try:
                return await job
            finally:
                bar.update(1)

    return await asyncio.gather(*(one(job) for job in jobs))


async def _register_bots(
    endpoints: Endpoints,
    session: Any,
    settings: DemoSettings,
    run_id: str,
    report: DemoReport,
    progress: Progress,
) -> list[Bot]:
    async def register(index: int) -> Bot | None:
        username = f"demo_{run_id}_b{index}"
        try:
            return Bot(username, await _new_player(endpoints, session, username))
        except TriviaError as error:
            report.error(f"register:{error.code}", error.message)
            return None

    with progress("registering bots", settings.players) as bar:
        made = await _bounded(
            settings.concurrency, (register(i) for i in range(settings.players)), bar
        )
    return [bot for bot in made if bot is not None]


async def _play(
    bots: list[Bot],
    quiz_id: str,
    knowledge: dict[str, str],
    settings: DemoSettings,
    report: DemoReport,
    progress: Progress,
) -> None:
    seeds = random.Random(settings.seed)
    bot_settings = BotSettings(accuracy=settings.accuracy, think_seconds=settings.think_seconds)

    async def play(bot: Bot, seed: int) -> None:
        brain = SingleBot(bot_settings, random.Random(seed), knowledge)
        bot.run = await play_single(bot.client, brain, quiz_id)
        if bot.run.done.error_code is not None:
            problem = bot.run.done.error_message or "no message"
            report.error(f"play:{bot.run.done.error_code}", f"{bot.username}: {problem}")
            return
        report.plays += 1
        if bot.run.submit_ms is not None:
            report.latencies_ms.append(bot.run.submit_ms)

    with progress("playing", len(bots)) as bar:
        jobs = [play(bot, seeds.getrandbits(64)) for bot in bots]
        await _bounded(settings.concurrency, jobs, bar)


def _completed(bot: Bot) -> bool:
    return bot.run is not None and bot.run.done.ok and bot.run.done.result is not None


def _expectations(bots: list[Bot], report: DemoReport) -> Expectations:
    """What the writers must show, from each completed play's result; bad results count."""
    results: dict[str, Mapping[str, Any]] = {}
    for bot in bots:
        if not _completed(bot) or bot.run is None or bot.run.done.result is None:
            continue
        result = bot.run.done.result
        for code in result_problems(result, bot.run.done.intended_correct):
            report.error(code, f"{bot.username}: result {dict(result)}")
        results[bot.username] = result
    return Expectations.from_results(results)
