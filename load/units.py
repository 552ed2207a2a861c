"""One unit of load: a single play, or one hosted or live game with its host and players.

A unit reuses the public demo runners (``clients/bots/demo_*.py``), which drive the Sans-I/O
brains through their HTTP, WebSocket and MQTT shells: register fresh players (every unit is a
demo run with its own random run id in every name, so units and runs never collide), publish a
quiz, play, then check what the asynchronous writers did.
The load runner only chooses the settings and turns each demo's report into samples:

- single: ``answer`` is the answer submission round trip (one per player);
- hosted: ``question`` is host ``next_question`` -> a player has the question (one per
  player and question); disconnecting players are cut off mid-game and resume;
- live: ``scoreboard`` is winning answer published -> a player has the ``winner`` broadcast;
- every mode: ``unit`` is the whole unit (register, quiz, connect, play, verify) and errors are
  counted by the demo's codes (``register:...``, ``connect:...``, ``play:...``, checks).

``Activity`` follows a unit's demo through its progress phases, so a run can tell the players in
play (a game's seats from their connect to the table's closing; a single player during its play)
from those still registering or being verified.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from clients.bots.demo_hosted import HostedDemoSettings, Table, run_hosted_demo
from clients.bots.demo_live import LiveDemoSettings, run_live_demo
from clients.bots.demo_single import DemoReport, DemoSettings, run_single_demo
from clients.bots.hosted_host import HostBot
from clients.bots.hosted_player import PlayerBot
from clients.sdk.endpoints import Endpoints
from load.scenario import Behaviour

# Which measured action each mode's demo report holds in ``latencies_ms``.
LATENCY_ACTION = {"single": "answer", "hosted": "question", "live": "scoreboard"}
LOBBY_TIMEOUT_SECONDS = 60.0
# The hosted checks' code for an answer the server refused (deadline passed, question closed).
LATE_REFUSAL = "answer_refused:"
DROP_POLL_SECONDS = 0.05
DROP_POLLS = 2_400  # two minutes at most


@dataclass(frozen=True)
class UnitPlan:
    number: int
    behaviour: Behaviour
    seed: int
    concurrency: int
    verify_timeout: float


@dataclass
class UnitOutcome:
    plan: UnitPlan
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # code -> one message
    error_counts: dict[str, int] = field(default_factory=dict)
    # Refusals the behaviour asked for (late answerers' answers refused): counted, not errors.
    expected: dict[str, int] = field(default_factory=dict)
    answers: int = 0  # answer submissions the unit's players made (an estimate: see answers_of)
    dropped: int = 0


def demo_settings(plan: UnitPlan) -> DemoSettings:
    behaviour = plan.behaviour
    accuracy, think_ms = behaviour.answering()
    return DemoSettings(
        players=behaviour.size if behaviour.mode != "single" else 1,
        accuracy=accuracy,
        think_ms=think_ms,
        seed=plan.seed,
        concurrency=max(1, min(plan.concurrency, behaviour.players)),
        verify_timeout=plan.verify_timeout,
    )


class Activity:
    """How many of a unit's players are in play, from its demo's progress phases: each seat that
    connects (``connecting``) until the table closes (``closing``); a single player from the
    start of its play (``playing``) to its end."""

    def __init__(self) -> None:
        self.in_play = 0

    @contextmanager
    def __call__(self, label: str, total: int) -> Iterator[_ActivityStep]:
        if label == "closing":
            self.in_play = 0
        elif label == "playing":  # single: every bot plays from here; each step, one is done
            self.in_play += total
        yield _ActivityStep(self, label)


@dataclass
class _ActivityStep:
    activity: Activity
    label: str

    def update(self, n_steps: int) -> None:
        if self.label == "connecting":
            self.activity.in_play += n_steps
        elif self.label == "playing":
            self.activity.in_play = max(0, self.activity.in_play - n_steps)


async def run_unit(endpoints: Endpoints, plan: UnitPlan,
                   activity: Activity | None = None) -> UnitOutcome:
    mode = plan.behaviour.mode
    outcome = UnitOutcome(plan)
    progress = activity or Activity()
    if mode == "single":
        report: DemoReport = await run_single_demo(endpoints, demo_settings(plan), progress)
    elif mode == "hosted":
        hook = _disconnecter(plan, outcome) if plan.behaviour.disconnect > 0 else None
        settings = HostedDemoSettings(
            demo_settings(plan),
            questions=plan.behaviour.questions,
            lobby_timeout=LOBBY_TIMEOUT_SECONDS,
        )
        report = await run_hosted_demo(endpoints, settings, progress, during_game=hook)
    else:
        live = LiveDemoSettings(
            demo_settings(plan),
            questions=plan.behaviour.questions,
            lobby_timeout=LOBBY_TIMEOUT_SECONDS,
        )
        report = await run_live_demo(endpoints, live, progress)
    outcome.latencies_ms = list(report.latencies_ms)
    outcome.error_counts, outcome.expected = split_expected(plan.behaviour, report.error_codes)
    outcome.errors = dict(report.error_samples)
    outcome.answers = answers_of(plan.behaviour, report.plays)
    return outcome


def split_expected(
    behaviour: Behaviour, codes: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """(errors, expected refusals): a late answerer's refused answers are what it was asked for."""
    if behaviour.profile != "late":
        return dict(codes), {}
    errors = {code: n for code, n in codes.items() if not code.startswith(LATE_REFUSAL)}
    expected = {code: n for code, n in codes.items() if code.startswith(LATE_REFUSAL)}
    return errors, expected


def answers_of(behaviour: Behaviour, plays: int) -> int:
    """Answers sent: a single play submits once; a game player answers each question once.

    For live games this is an upper bound: a player stops answering once a question has a winner.
    """
    if behaviour.mode == "single":
        return plays
    return plays * behaviour.questions


Hook = Callable[[Table, HostBot, dict[str, PlayerBot]], Awaitable[None]]


def _disconnecter(plan: UnitPlan, outcome: UnitOutcome) -> Hook:
    """Cut off a share of the players once each, mid-question; their brains reconnect, resume.

    A player is cut off once it has chosen an answer to a question (so it is in the game, as in
    tests/e2e/test_hosted_resume.py); one that never gets there is left alone.
    """
    rng = random.Random(plan.seed ^ 0x5EED)

    async def cut(table: Table, host: HostBot, players: dict[str, PlayerBot]) -> None:
        seats = {bot.username: socket for bot, socket in table.players}
        chosen = rng.sample(sorted(seats), k=round(len(seats) * plan.behaviour.disconnect))
        victims = {name: seats[name] for name in chosen}
        for _ in range(DROP_POLLS):
            if host.done is not None or not victims:
                return
            for name in [name for name in victims if players[name].choices]:
                await victims.pop(name).drop()
                outcome.dropped += 1
            await asyncio.sleep(DROP_POLL_SECONDS)

    return cut
