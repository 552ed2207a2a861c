"""The single-player demo: an author, a quiz, N bots playing it, and a check that it all adds up.

1. Register a fresh author (names unique per run), create and activate a small quiz, export it
   to build the answer key the bots may use (they are right with probability ``accuracy``).
2. Register and log in N bots, ``concurrency`` at a time (demo_setup.py, shared by the demos).
3. Every bot starts a play and submits (the HTTP shell drives the Sans-I/O brain).
4. Verify what the asynchronous writers did (demo_checks.py): leaderboard and experience.

Errors are counted by code: a failed call, a result that disagrees with the bot's intent, a
leaderboard or profile that has not caught up within ``verify_timeout``.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from typing import Any

from clients.bots.demo_checks import Expectations, result_problems, verify_writers
from clients.bots.demo_setup import (
    Bot,
    DemoReport,
    DemoSettings,
    Progress,
    bounded,
    new_player,
    no_progress,
    publish_quiz,
    register_bots,
)
from clients.bots.shells.http_single import play_single
from clients.bots.single import BotSettings, SingleBot
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import TriviaError
from clients.sdk.transport import new_session

__all__ = ["DEMO_QUIZ", "DemoReport", "DemoSettings", "run_single_demo"]

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


async def run_single_demo(
    endpoints: Endpoints, settings: DemoSettings, progress: Progress = no_progress
) -> DemoReport:
    run_id = secrets.token_hex(4)  # fresh names every run, whatever the seed
    report = DemoReport(players=settings.players, run_id=run_id)
    async with new_session(connection_limit=settings.concurrency) as session:
        try:
            author = await new_player(endpoints, session, f"demo_{run_id}_author")
            document = {**DEMO_QUIZ, "name": f"Demo quiz {run_id}"}
            quiz_id, knowledge = await publish_quiz(author, document, activate=True)
        except TriviaError as error:
            report.error(f"setup:{error.code}", error.message)
            return report
        report.quiz_id = quiz_id
        bots = await register_bots(endpoints, session, settings, run_id, report, progress)
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
        await bounded(settings.concurrency, jobs, bar)


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
