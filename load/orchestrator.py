"""Drives a scenario: starts units to follow the phases' target players, bounded in count and time.

Every tick the runner compares the players in running units with the phase's target (linearly
ramped) and starts units, a behaviour drawn from the weighted mix with the scenario's seed,
until the target is reached; it never starts more than ``max_units``. A unit's players count
from its start, registration included; how many of them are in play (connected to a game, or
playing) is followed too (``units.Activity``). After the last phase no unit starts; units still
running after ``drain_seconds`` are cancelled and counted as errors.
A progress line goes to ``progress`` every second.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from clients.sdk.endpoints import Endpoints
from load.cloud_probe import DynamoDbProbe, ProcessProbe, RedisProbe
from load.recorder import Recorder
from load.scenario import Behaviour, Scenario
from load.units import LATENCY_ACTION, Activity, UnitOutcome, UnitPlan, run_unit

Progress = Callable[[str], None]
UnitRunner = Callable[[Endpoints, UnitPlan, Activity], Coroutine[Any, Any, UnitOutcome]]
PROGRESS_SECONDS = 1.0


@dataclass
class RunResult:
    scenario: Scenario
    run_id: str
    seconds: float
    recorder: Recorder
    units_started: int
    units_finished: int
    units_by_mode: dict[str, int]
    players_by_mode: dict[str, int]
    answers_by_mode: dict[str, int]
    dropped: int
    peak_players: int
    held: list[tuple[float, int, int]] = field(default_factory=list)  # (t, players, in play)
    cloud: dict[str, object] = field(default_factory=dict)
    redis: dict[str, object] = field(default_factory=dict)
    dynamodb: dict[str, object] = field(default_factory=dict)


class Runner:
    def __init__(
        self,
        endpoints: Endpoints,
        scenario: Scenario,
        progress: Progress | None = None,
        unit_runner: UnitRunner = run_unit,
    ) -> None:
        self.endpoints = endpoints
        self.scenario = scenario
        self.progress = progress
        self.unit_runner = unit_runner
        self.rng = random.Random(scenario.seed)
        self.run_id = secrets.token_hex(3)
        self.recorder = Recorder()
        self.active: dict[asyncio.Task[UnitOutcome], int] = {}
        self.activities: dict[asyncio.Task[UnitOutcome], Activity] = {}
        self.started = 0
        self.finished = 0
        self.units_by_mode: dict[str, int] = {}
        self.players_by_mode: dict[str, int] = {}
        self.answers_by_mode: dict[str, int] = {}
        self.dropped = 0
        self.peak = 0
        self.held: list[tuple[float, int, int]] = []
        self.t0 = 0.0

    @property
    def players(self) -> int:
        return sum(self.active.values())

    @property
    def in_play(self) -> int:
        return sum(activity.in_play for activity in self.activities.values())

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    async def run(self) -> RunResult:
        probe = ProcessProbe.start(self.endpoints)
        redis_probe = RedisProbe.open(self.endpoints)
        dynamodb_probe = DynamoDbProbe.open(self.endpoints)
        self.t0 = time.perf_counter()
        last_progress = -PROGRESS_SECONDS
        last_done = 0
        while (now := self.elapsed()) < self.scenario.seconds:
            phase, target = self.scenario.target_at(now)
            self._fill(target)
            probe.sample(self.players)
            self.held.append((round(now, 2), self.players, self.in_play))
            if now - last_progress >= PROGRESS_SECONDS:
                last_done = self._report(phase, now, last_progress, last_done)
                last_progress = now
            await asyncio.sleep(self.scenario.tick_seconds)
        await self._drain(probe, last_progress, last_done)
        seconds = self.elapsed()
        result = RunResult(
            scenario=self.scenario,
            run_id=self.run_id,
            seconds=round(seconds, 2),
            recorder=self.recorder,
            units_started=self.started,
            units_finished=self.finished,
            units_by_mode=self.units_by_mode,
            players_by_mode=self.players_by_mode,
            answers_by_mode=self.answers_by_mode,
            dropped=self.dropped,
            peak_players=self.peak,
            held=self.held,
        )
        result.cloud = probe.summary(seconds)
        result.redis = redis_probe.summary(sum(self.answers_by_mode.values()))
        result.dynamodb = dynamodb_probe.summary(sum(self.answers_by_mode.values()))
        return result

    def _fill(self, target: int) -> None:
        while self.players < target and self.started < self.scenario.max_units:
            behaviour = self._next_behaviour()
            plan = UnitPlan(
                number=self.started,
                behaviour=behaviour,
                seed=self.rng.getrandbits(63),
                concurrency=self.scenario.unit_concurrency,
                verify_timeout=self.scenario.verify_timeout,
            )
            activity = Activity()
            task = asyncio.ensure_future(self.unit_runner(self.endpoints, plan, activity))
            task.add_done_callback(self._unit_done(plan, self.elapsed()))
            self.active[task] = behaviour.players
            self.activities[task] = activity
            self.started += 1
            mode = behaviour.mode
            self.units_by_mode[mode] = self.units_by_mode.get(mode, 0) + 1
            self.players_by_mode[mode] = self.players_by_mode.get(mode, 0) + behaviour.players
            self.peak = max(self.peak, self.players)

    def _next_behaviour(self) -> Behaviour:
        behaviours = self.scenario.behaviours
        if self.scenario.every_behaviour_first and self.started < len(behaviours):
            return behaviours[self.started]
        return self.rng.choices(behaviours, weights=[b.weight for b in behaviours])[0]

    def _unit_done(
        self, plan: UnitPlan, began: float
    ) -> Callable[[asyncio.Task[UnitOutcome]], None]:
        def done(task: asyncio.Task[UnitOutcome]) -> None:
            self.active.pop(task, None)
            self.activities.pop(task, None)
            self.finished += 1
            mode = plan.behaviour.mode
            at = self.elapsed()
            if task.cancelled():
                self.recorder.error(mode, "unit", "cancelled", "still running after the drain")
                return
            error = task.exception()
            if error is not None:
                self.recorder.error(mode, "unit", f"crash:{type(error).__name__}", str(error))
                return
            self.recorder.latency(at, mode, "unit", (at - began) * 1000)
            self._record(task.result(), at)

        return done

    def _record(self, outcome: UnitOutcome, at: float) -> None:
        mode = outcome.plan.behaviour.mode
        action = LATENCY_ACTION[mode]
        for ms in outcome.latencies_ms:
            self.recorder.latency(at, mode, action, ms)
        for code, count in outcome.error_counts.items():
            for _ in range(count):
                self.recorder.error(mode, action, code, outcome.errors.get(code, ""))
        for code, count in outcome.expected.items():
            self.recorder.expected(mode, action, code, count)
        self.answers_by_mode[mode] = self.answers_by_mode.get(mode, 0) + outcome.answers
        self.dropped += outcome.dropped

    async def _drain(self, probe: ProcessProbe, last_progress: float, last_done: int) -> None:
        deadline = self.elapsed() + self.scenario.drain_seconds
        while self.active and self.elapsed() < deadline:
            await asyncio.wait(list(self.active), timeout=self.scenario.tick_seconds)
            probe.sample(self.players)
            now = self.elapsed()
            self.held.append((round(now, 2), self.players, self.in_play))
            if now - last_progress >= PROGRESS_SECONDS:
                last_done = self._report("drain", now, last_progress, last_done)
                last_progress = now
        for task in list(self.active):
            task.cancel()
        if self.active:
            await asyncio.wait(list(self.active), timeout=10.0)

    def _report(self, phase: str, now: float, last: float, last_done: int) -> int:
        done = self.recorder.actions_done
        if self.progress is not None:
            rate = (done - last_done) / max(now - last, 1e-6) if last >= 0 else 0.0
            p95 = self.recorder.window_p95(now)
            self.progress(
                f"[{now:6.1f}s {phase:>9}] players {self.players:5d} in play {self.in_play:5d} "
                f"units {len(self.active):4d} "
                f"done {self.finished:5d} actions/s {rate:7.1f} errors {self.recorder.errors:4d} "
                f"p95 {'-' if p95 is None else f'{p95:.1f} ms'}"
            )
        return done
