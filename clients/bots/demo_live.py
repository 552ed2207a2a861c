"""The live demo: a host bot runs a live-scoreboard game over MQTT for N player bots, checked.

1. Register a fresh author, who is also the host (names unique per run); create a live quiz
   (live_quiz.py) and export it for the answer key the player bots use.
2. Register and log in N player bots, ``concurrency`` at a time (demo_setup.py).
3. Everyone asks ``POST /live/credentials`` and connects to the broker, ``concurrency`` at a
   time; all connections share awscrt's event-loop group. The host bot opens the game, the
   player bots join it, and the game runs (shells/mqtt_live.py). All bots share this process
   and its event loop, so the scoreboard latency is on one monotonic clock.
4. Check the game as the bots saw it and what the writers did (live_checks.py,
   demo_checks.verify_writers): leaderboard, experience and wins must match the final
   scoreboard.

With ``ringer`` (the default) the first player bot always knows the answer, so every question
has a winner whatever the accuracy and the number of players; the others are right with
probability ``accuracy``.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any

from awscrt import io

from clients.bots.demo_checks import verify_writers
from clients.bots.demo_setup import (
    Bot,
    DemoReport,
    DemoSettings,
    GameDemoSettings,
    Progress,
    ProgressBar,
    SeatedTable,
    announce_resolver,
    finished_clients,
    host_announced,
    no_progress,
    set_up_game,
)
from clients.bots.live import Announce
from clients.bots.live_checks import (
    game_problems,
    questions_with_one_winner,
    wins_problems,
    writer_expectations,
)
from clients.bots.live_host import HostSettings, LiveHost
from clients.bots.live_player import LivePlayer, PlayerSettings
from clients.bots.live_quiz import live_quiz
from clients.bots.seat import Begin, Done
from clients.bots.shells.mqtt_live import ScoreboardLatency, Seat, drive
from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.mqtt import LiveConnection, open_live
from clients.sdk.transport import new_session


@dataclass(frozen=True)
class LiveDemoSettings(GameDemoSettings):
    ringer: bool = True


@dataclass
class LiveReport(DemoReport):
    questions: int = 0
    winners: int = 0

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.winners == self.questions

    def summary(self) -> dict[str, Any]:
        return {
            "mode": "live",
            "players": self.players,
            "questions": self.questions,
            "winners": self.winners,
            "errors": self.errors,
            **self.percentiles("scoreboard_"),
        }


class Table(SeatedTable[LiveConnection]):
    """Everyone at the game: the host and the players, each with a live connection."""


async def run_live_demo(
    endpoints: Endpoints, settings: LiveDemoSettings, progress: Progress = no_progress
) -> LiveReport:
    run_id = secrets.token_hex(4)  # fresh names every run, whatever the seed
    common = settings.demo
    report = LiveReport(common.players, run_id=run_id, questions=settings.questions)
    rng = random.Random(common.seed)
    document = live_quiz(run_id, settings.questions, rng)  # played by its owner's games
    bootstrap = io.ClientBootstrap.get_or_create_static_default()  # one event-loop group

    async def connect(bot: Bot) -> LiveConnection:
        return await open_live(bot.client, bootstrap=bootstrap)

    async with new_session(connection_limit=common.concurrency) as session:
        game = await set_up_game(endpoints, session, common, document, connect, report, progress)
        if game is None:
            return report
        author, quiz_id, knowledge = game.author, game.quiz_id, game.knowledge
        table = Table(*game.seated)
        try:
            host, players = await _play(table, quiz_id, knowledge, settings, rng, report, progress)
        finally:
            await table.close(progress)
        await _verify(author, table, quiz_id, host, players, common, report)
    return report


async def _play(
    table: Table,
    quiz_id: str,
    knowledge: dict[str, str],
    settings: LiveDemoSettings,
    rng: random.Random,
    report: LiveReport,
    progress: Progress,
) -> tuple[LiveHost, dict[str, LivePlayer]]:
    host = LiveHost(
        HostSettings(players=len(table.players), lobby_timeout_seconds=settings.lobby_timeout),
        quiz_id,
    )
    latency = ScoreboardLatency()
    announced: asyncio.Future[Announce] = asyncio.get_running_loop().create_future()
    on_announce = announce_resolver(announced)
    host_seat = Seat(table.host[1].player_id, is_host=True, on_announce=on_announce)
    idle = settings.idle_timeout
    host_run = asyncio.create_task(
        drive(host, table.host[1], Begin(), host_seat, idle_timeout=idle)
    )
    announce = await host_announced(host_run, announced)
    if announce is None:
        return host, {}
    game_id = announce.game_id
    players = {
        bot.username: LivePlayer(
            _player_settings(settings, ringer=index == 0),
            random.Random(rng.getrandbits(64)),
            game_id,
            connection.player_id,
            knowledge,
        )
        for index, (bot, connection) in enumerate(table.players)
    }
    runs = [
        drive(
            players[bot.username],
            connection,
            Begin(),
            Seat(connection.player_id, latency=latency),
            idle_timeout=idle,
        )
        for bot, connection in table.players
    ]
    with progress("playing (players done)", len(runs)) as bar:
        await asyncio.gather(host_run, _all(runs, bar))
    report.latencies_ms = latency.samples_ms()
    report.plays = sum(1 for player in players.values() if player.done and player.done.ok)
    return host, players


def _player_settings(settings: LiveDemoSettings, *, ringer: bool) -> PlayerSettings:
    common = settings.demo
    accuracy = 1.0 if ringer and settings.ringer else common.accuracy
    return PlayerSettings(accuracy=accuracy, think_seconds=common.think_seconds)


async def _all(runs: Sequence[Awaitable[Done]], bar: ProgressBar) -> list[Done]:
    async def one(run: Awaitable[Done]) -> Done:
        try:
            return await run
        finally:
            bar.update(1)

    return list(await asyncio.gather(*(one(run) for run in runs)))


async def _verify(
    author: TriviaClient,
    table: Table,
    quiz_id: str,
    host: LiveHost,
    players: dict[str, LivePlayer],
    common: DemoSettings,
    report: LiveReport,
) -> None:
    report.winners = questions_with_one_winner(host)
    for code, problem in game_problems(host, players):
        report.error(code, problem)
    if not host.done or not host.done.ok:
        return  # no game ended: the writers have nothing to show
    expected = writer_expectations(host, players)
    finished = finished_clients(table, expected.scores)
    mismatches = await verify_writers(
        author,
        finished,
        quiz_id,
        expected,
        timeout=common.verify_timeout,
        concurrency=common.concurrency,
    )
    mismatches += await wins_problems(finished, expected, concurrency=common.concurrency)
    for code, problem in mismatches:
        report.error(code, problem)
