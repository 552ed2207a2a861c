"""A load scenario: phases of concurrent players, a behaviour mix and a seed, read from TOML.

A scenario file (``load/scenarios/*.toml``, read with ``tomllib``) looks like::

    name = "smoke"
    seed = 7
    [[phases]]            # target concurrent players, moved linearly from the previous target
    name = "ramp-up"
    seconds = 2
    players = 6
    [[behaviours]]        # one unit: a single play, or one hosted / live game of ``size`` players
    mode = "hosted"
    size = 3
    weight = 1
    profile = "fast"      # fast | slow | wrong | late | normal, or accuracy / think_ms below
    disconnect = 0.0      # hosted: share of players cut off mid-game, who resume

Every limit is bounded (``max_units``, ``drain_seconds``) so a run always stops by itself.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

MODES = ("single", "hosted", "live")

# (accuracy, think_ms): how each named kind of answerer behaves.
PROFILES: dict[str, tuple[float, tuple[int, int]]] = {
    "normal": (0.7, (0, 200)),
    "fast": (0.9, (0, 30)),
    "slow": (0.7, (500, 1500)),
    "wrong": (0.0, (0, 200)),
    # Late answerers think past the hosted/live 20 s time limit: their answers are refused.
    "late": (0.7, (20_500, 22_000)),
}


class ScenarioError(ValueError):
    """The scenario file is malformed; the message names the field."""


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float
    players: int  # target concurrent players at the phase's end

    def __post_init__(self) -> None:
        if self.seconds < 0 or self.players < 0:
            raise ScenarioError(f"phase {self.name!r}: seconds and players must be >= 0")


@dataclass(frozen=True)
class Behaviour:
    mode: str
    size: int = 1  # players per unit (single: always 1)
    weight: float = 1.0
    profile: str = "normal"
    accuracy: float | None = None
    think_ms: tuple[int, int] | None = None
    questions: int = 3
    disconnect: float = 0.0  # hosted only: share of players dropped mid-game, who resume

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ScenarioError(f"behaviour mode must be one of {MODES}, not {self.mode!r}")
        if self.profile not in PROFILES:
            raise ScenarioError(f"profile must be one of {sorted(PROFILES)}")
        if self.size < 1 or self.weight <= 0 or self.questions < 1:
            raise ScenarioError("size and questions must be >= 1, weight > 0")
        if not 0.0 <= self.disconnect <= 1.0:
            raise ScenarioError("disconnect must be between 0 and 1")

    @property
    def players(self) -> int:
        """Players the unit holds (a hosted or live game adds its host)."""
        return 1 if self.mode == "single" else self.size + 1

    @property
    def label(self) -> str:
        return f"{self.mode}:{self.profile}"

    def answering(self) -> tuple[float, tuple[int, int]]:
        accuracy, think = PROFILES[self.profile]
        return (
            accuracy if self.accuracy is None else self.accuracy,
            think if self.think_ms is None else self.think_ms,
        )


@dataclass(frozen=True)
class Scenario:
    name: str
    phases: tuple[Phase, ...]
    behaviours: tuple[Behaviour, ...]
    seed: int = 0
    max_units: int = 10_000  # hard bound on units started
    drain_seconds: float = 120.0  # after the last phase, units still running are cancelled
    tick_seconds: float = 0.25
    unit_concurrency: int = 10  # registrations/connections in flight inside one unit
    verify_timeout: float = 20.0
    # The first units take each behaviour once, in order, so a short run has every mode.
    every_behaviour_first: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.phases:
            raise ScenarioError("a scenario needs at least one phase")
        if not self.behaviours:
            raise ScenarioError("a scenario needs at least one behaviour")

    @property
    def seconds(self) -> float:
        return sum(phase.seconds for phase in self.phases)

    @property
    def peak_players(self) -> int:
        return max(phase.players for phase in self.phases)

    def target_at(self, elapsed: float) -> tuple[str, int]:
        """The phase running ``elapsed`` seconds in, and its target players (linear ramp)."""
        start_players = 0
        start = 0.0
        for phase in self.phases:
            end = start + phase.seconds
            if elapsed < end:
                share = (elapsed - start) / phase.seconds if phase.seconds else 1.0
                return phase.name, round(start_players + (phase.players - start_players) * share)
            start, start_players = end, phase.players
        return "drain", 0

    def without_modes(self, modes: Sequence[str]) -> Scenario:
        """This scenario minus the behaviours of ``modes`` (e.g. live without a broker)."""
        kept = tuple(b for b in self.behaviours if b.mode not in modes)
        if not kept:
            raise ScenarioError(f"nothing left to run without {', '.join(modes)}")
        return replace(self, behaviours=kept)

    def scaled(self, players: int, hold_seconds: float, ramp_seconds: float) -> Scenario:
        """A ramp to ``players``, held ``hold_seconds``, then down: one step of --find-max."""
        phases = (
            Phase("ramp-up", ramp_seconds, players),
            Phase("sustain", hold_seconds, players),
            Phase("ramp-down", 0.0, 0),
        )
        return replace(self, phases=phases, name=f"{self.name}@{players}")


def load_scenario(path: str | Path) -> Scenario:
    with Path(path).open("rb") as file:
        return parse_scenario(tomllib.load(file), default_name=Path(path).stem)


def parse_scenario(data: Mapping[str, Any], default_name: str = "scenario") -> Scenario:
    known = {f for f in Scenario.__dataclass_fields__ if f not in ("phases", "behaviours", "extra")}
    try:
        phases = tuple(Phase(**_fields(p, Phase)) for p in data.get("phases", ()))
        behaviours = tuple(Behaviour(**_behaviour_fields(b)) for b in data.get("behaviours", ()))
        settings = {k: v for k, v in data.items() if k in known}
        settings.setdefault("name", default_name)
        return Scenario(phases=phases, behaviours=behaviours, **settings)
    except TypeError as error:
        raise ScenarioError(str(error)) from None


def _fields(data: Mapping[str, Any], kind: type) -> dict[str, Any]:
    unknown = set(data) - set(kind.__dataclass_fields__)  # type: ignore[attr-defined]
    if unknown:
        raise ScenarioError(f"{kind.__name__.lower()}: unknown fields {sorted(unknown)}")
    return dict(data)


def _behaviour_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    fields = _fields(data, Behaviour)
    if "think_ms" in fields:
        low, high = fields["think_ms"]
        fields["think_ms"] = (int(low), int(high))
    return fields
