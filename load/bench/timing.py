"""Small timing helpers shared by the figures and the floors."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile, rounded to 0.01 ms; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)], 2)


def p50_p95(values: Sequence[float]) -> dict[str, float | int | None]:
    return {"n": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95)}


@dataclass
class _Bar:
    started: float
    marks: list[float]

    def update(self, n_steps: int) -> None:
        now = time.perf_counter()
        self.marks.extend([(now - self.started) * 1000] * n_steps)


@dataclass
class PhaseTimes:
    """A demo ``Progress`` that keeps, per phase label, when each step finished (ms from the
    phase's start): the "connecting" phase then says when the k-th player was connected."""

    marks: dict[str, list[float]] = field(default_factory=dict)

    @contextmanager
    def __call__(self, label: str, total: int) -> Iterator[_Bar]:
        bar = _Bar(time.perf_counter(), self.marks.setdefault(label, []))
        yield bar
