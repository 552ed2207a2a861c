"""The hosted demo: one host bot runs a game over WebSocket for N player bots, then it is checked.

1. Register a fresh author, who is also the host (names unique per run); create a casual or
   competitive quiz (hosted_quiz.py) and export it for the answer key the player bots use.
2. Register and log in N player bots, ``concurrency`` at a time (demo_setup.py).
3. Connect everyone to the WebSocket API, ``concurrency`` at a time; the host bot opens the
   game, the player bots join with its code, and the game runs (shells/ws_hosted.py). All bots
   share this process and its event loop, so broadcast latency is on one monotonic clock.
4. Check the game as the bots saw it and what the writers did (hosted_checks.py,
   demo_checks.verify_writers): leaderboard and experience must match each player's final
   score and the verdicts it was sent.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from clients.bots.demo_checks import verify_writers
from clients.bots.demo_setup import (
    Bot,
    DemoReport,
    GameDemoSettings,
    Progress,
    SeatedTable,
    announce_resolver,
    finished_clients,
    host_announced,
    no_progress,
    set_up_game,
)
from clients.bots.hosted import Announce
from clients.bots.hosted_checks import game_problems, writer_expectations
from clients.bots.hosted_host import HostBot, HostSettings
from clients.bots.hosted_player import PlayerBot, PlayerSettings
from clients.bots.hosted_quiz import demo_quiz, rounds_of
from clients.bots.seat import Begin, Done
from clients.bots.shells.ws_hosted import BroadcastLatency, Seat, drive
from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import TriviaError
from clients.sdk.transport import new_session
from clients.sdk.ws import GameSocket

FIRST_CREDIT_PAUSE_SECONDS = 0.5
LONGEST_CREDIT_PAUSE_SECONDS = 2.0
MIN_VERIFY_SECONDS = 5.0


@dataclass(frozen=True)
class HostedDemoSettings(GameDemoSettings):
    mode: str = "casual"


@dataclass
class HostedReport(DemoReport):
    questions: int = 0
    mode: str = "casual"

    def summary(self) -> dict[str, Any]:
        return {
            "mode": "hosted",
            "players": self.players,
            "questions": self.questions,
            "errors": self.errors,
            **self.percentiles("broadcast_"),
        }


@dataclass
class Table(SeatedTable[GameSocket]):
    """Everyone at the game: the host and the players, each with a connected socket."""


# Hooks for tests: the resume test drops connections mid-game through this.
GameHook = Callable[[Table, HostBot, dict[str, PlayerBot]], Awaitable[None]]


async def run_hosted_demo(
    endpoints: Endpoints,
    settings: HostedDemoSettings,
    progress: Progress = no_progress,
    during_game: GameHook | None = None,
) -> HostedReport:
    run_id = secrets.token_hex(4)  # fresh names every run, whatever the seed
    common = settings.demo
    report = HostedReport(
        common.players, run_id=run_id, questions=settings.questions, mode=settings.mode
    )
    rng = random.Random(common.seed)
    document = demo_quiz(run_id, settings.mode, settings.questions, rng)  # no activation needed
    async with new_session(connection_limit=common.concurrency) as session:
        game = await set_up_game(endpoints, session, common, document, _connect, report, progress)
        if game is None:
            return report
        author, quiz_id, knowledge = game.author, game.quiz_id, game.knowledge
        table = Table(*game.seated)
        try:
            host = HostBot(
                HostSettings(
                    players=len(table.players),
                    rounds=rounds_of(document),
                    lobby_timeout_seconds=settings.lobby_timeout,
                ),
                quiz_id,
            )
            players = await _play(table, host, knowledge, settings, rng, report, during_game)
        finally:
            await table.close(progress)
        for code, problem in game_problems(host, players):
            report.error(code, problem)
        expected = writer_expectations(players)
        finished = finished_clients(table, expected.scores)
        waited = await _await_credits(author, expected.author_experience, common.verify_timeout)
        mismatches = await verify_writers(
            author,
            finished,
            quiz_id,
            expected,
            timeout=max(common.verify_timeout - waited, MIN_VERIFY_SECONDS),
            concurrency=common.concurrency,
        )
        for code, problem in mismatches:
            report.error(code, problem)
    return report


async def _await_credits(author: TriviaClient, experience: int, timeout: float) -> float:
    """Wait until the author's experience shows every player's credit; the seconds it took.

    One request per poll instead of two per player: the writers catch up faster when the demo
    does not compete with them, and the full checks then pass on their first round.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    pause = FIRST_CREDIT_PAUSE_SECONDS
    while (remaining := started + timeout - loop.time()) > 0:
        try:
            if (await author.get_profile()).get("experience") == experience:
                break
        except TriviaError:
            pass  # the full checks report it, if it lasts
        await asyncio.sleep(min(pause, remaining))
        pause = min(pause * 1.5, LONGEST_CREDIT_PAUSE_SECONDS)
    return loop.time() - started


async def _connect(bot: Bot) -> GameSocket:
    socket = GameSocket(bot.client, ping_interval=None)  # keep per-bot overhead small
    await socket.connect()
    return socket


async def _play(
    table: Table,
    host: HostBot,
    knowledge: dict[str, str],
    settings: HostedDemoSettings,
    rng: random.Random,
    report: HostedReport,
    during_game: GameHook | None,
) -> dict[str, PlayerBot]:
    latency = BroadcastLatency()
    announced: asyncio.Future[Announce] = asyncio.get_running_loop().create_future()
    host_seat = Seat(is_host=True, latency=latency, on_announce=announce_resolver(announced))
    idle = settings.idle_timeout
    host_run = asyncio.create_task(
        drive(host, table.host[1], Begin(), host_seat, idle_timeout=idle)
    )
    announce = await host_announced(host_run, announced)
    if announce is None:
        return {}
    common = settings.demo
    player_settings = PlayerSettings(accuracy=common.accuracy, think_seconds=common.think_seconds)
    join_code = announce.join_code
    players = {
        bot.username: PlayerBot(
            player_settings, random.Random(rng.getrandbits(64)), join_code, knowledge
        )
        for bot, _ in table.players
    }
    runs = [
        drive(players[bot.username], socket, Begin(), Seat(latency=latency), idle_timeout=idle)
        for bot, socket in table.players
    ]
    hook = during_game(table, host, players) if during_game is not None else _nothing()
    await asyncio.gather(host_run, _all(runs), hook)
    report.latencies_ms = latency.samples_ms()
    report.plays = sum(1 for player in players.values() if player.done and player.done.ok)
    return players


async def _all(runs: Sequence[Awaitable[Done]]) -> list[Done]:
    return list(await asyncio.gather(*runs))


async def _nothing() -> None:
    return None
