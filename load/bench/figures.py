"""Our figures, from the demo runners (the same brains and shells as `trivia load`).

- hosted(N): one hosted game of N players; per delivery, host ``next_question`` -> a player has
  the ``question`` (``BroadcastLatency``); connect: when the k-th of N+1 sockets was open
  (the demo's "connecting" phase, ``concurrency`` at a time: handshake, authorizer, $connect);
- live(N): one live game of N players; per delivery, winning answer published -> a player has
  the ``winner`` broadcast (``ScoreboardLatency``); connect: ``POST /live/credentials`` and the
  MQTT CONNECT and inbox subscription of the k-th of N+1 players;
- single(B): B bots playing at once (concurrency B, no think time): B submissions in one burst;
  the answer round trip;
- single_paced(B): B bots playing back to back for ``seconds``, each thinking ``think_ms`` per
  question like a quick human, their first plays spread over one play's length; the answer
  round trip of every play. What "B concurrent players" means in steady state.

Joining the game is not in the connect figure: the demos join inside the game run.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from dataclasses import dataclass, field

from clients.bots.demo_hosted import HostedDemoSettings, run_hosted_demo
from clients.bots.demo_live import LiveDemoSettings, run_live_demo
from clients.bots.demo_setup import DemoReport, new_player, no_progress, publish_quiz, register_bots
from clients.bots.demo_single import DEMO_QUIZ, DemoSettings, run_single_demo
from clients.bots.shells.http_single import play_single
from clients.bots.single import BotSettings, SingleBot
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import TriviaError
from clients.sdk.transport import new_session
from load.bench.timing import PhaseTimes

QUESTIONS = 3
FAST = (0, 50)
PACED_THINK_MS = (500, 1500)  # per question: a quick human
PACED_SECONDS = 30.0
CONNECTING = "connecting"


@dataclass
class Figure:
    samples: list[float] = field(default_factory=list)
    connect: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


def _settings(players: int, concurrency: int, verify_timeout: float) -> DemoSettings:
    return DemoSettings(
        players=players,
        accuracy=0.9,
        think_ms=FAST,
        seed=players,
        concurrency=concurrency,
        verify_timeout=verify_timeout,
    )


async def hosted(endpoints: Endpoints, n: int, concurrency: int) -> Figure:
    times = PhaseTimes()
    settings = HostedDemoSettings(_settings(n, concurrency, 120.0), questions=QUESTIONS)
    report = await run_hosted_demo(endpoints, settings, progress=times)
    return Figure(report.latencies_ms, times.marks.get(CONNECTING, []), dict(report.error_codes))


async def live(endpoints: Endpoints, n: int, concurrency: int) -> Figure:
    times = PhaseTimes()
    settings = LiveDemoSettings(_settings(n, concurrency, 120.0), questions=QUESTIONS)
    report = await run_live_demo(endpoints, settings, progress=times)
    return Figure(report.latencies_ms, times.marks.get(CONNECTING, []), dict(report.error_codes))


async def single(endpoints: Endpoints, bots: int) -> Figure:
    settings = DemoSettings(
        players=bots, accuracy=0.9, think_ms=(0, 0), seed=bots, concurrency=bots
    )
    report = await run_single_demo(endpoints, settings)
    return Figure(report.latencies_ms, [], dict(report.error_codes))


async def single_paced(endpoints: Endpoints, bots: int, *, seconds: float = PACED_SECONDS,
                       think_ms: tuple[int, int] = PACED_THINK_MS) -> Figure:
    run_id = secrets.token_hex(4)
    report = DemoReport(players=bots, run_id=run_id)
    settings = DemoSettings(players=bots, think_ms=think_ms, seed=bots, concurrency=50)
    figure = Figure()
    async with new_session(connection_limit=bots + 10) as session:
        author = await new_player(endpoints, session, f"bench_{run_id}_author")
        quiz_id, knowledge = await publish_quiz(
            author, {**DEMO_QUIZ, "name": f"Bench quiz {run_id}"}, activate=True)
        players = await register_bots(endpoints, session, settings, run_id, report, no_progress)
        figure.errors.update(report.error_codes)
        questions = len(DEMO_QUIZ["questions"])
        one_play = questions * (think_ms[0] + think_ms[1]) / 2000
        bot_settings = BotSettings(accuracy=0.9, think_seconds=settings.think_seconds)
        deadline = time.perf_counter() + one_play + seconds

        async def keep_playing(index: int) -> None:
            rng = random.Random(index)
            await asyncio.sleep(rng.uniform(0, one_play))  # steady state, not a burst
            while time.perf_counter() < deadline:
                brain = SingleBot(bot_settings, random.Random(rng.getrandbits(64)), knowledge)
                try:
                    run = await play_single(players[index].client, brain, quiz_id)
                except TriviaError as error:
                    figure.errors[f"play:{error.code}"] = figure.errors.get(
                        f"play:{error.code}", 0) + 1
                    continue
                if run.done.error_code is not None:
                    code = f"play:{run.done.error_code}"
                    figure.errors[code] = figure.errors.get(code, 0) + 1
                elif run.submit_ms is not None:
                    figure.samples.append(run.submit_ms)

        await asyncio.gather(*(keep_playing(i) for i in range(len(players))))
    return figure
