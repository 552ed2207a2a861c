"""Our figures, from the demo runners (the same brains and shells as `trivia load`).

- hosted(N): one hosted game of N players; per delivery, host ``next_question`` -> a player has
  the ``question`` (``BroadcastLatency``); connect: when the k-th of N+1 sockets was open
  (the demo's "connecting" phase, ``concurrency`` at a time: handshake, authorizer, $connect);
- live(N): one live game of N players; per delivery, winning answer published -> a player has
  the ``winner`` broadcast (``ScoreboardLatency``); connect: ``POST /live/credentials`` and the
  MQTT CONNECT and inbox subscription of the k-th of N+1 players;
- single(B): B bots playing at once (concurrency B, no think time); the answer round trip.

Joining the game is not in the connect figure: the demos join inside the game run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clients.bots.demo_hosted import HostedDemoSettings, run_hosted_demo
from clients.bots.demo_live import LiveDemoSettings, run_live_demo
from clients.bots.demo_single import DemoSettings, run_single_demo
from clients.sdk.endpoints import Endpoints
from load.bench.timing import PhaseTimes

QUESTIONS = 3
FAST = (0, 50)
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
