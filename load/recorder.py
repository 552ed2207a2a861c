"""What a load run measured: latencies per (mode, action) in HDR histograms, errors by code.

Latencies are recorded in microseconds (1 µs .. 10 min, 3 significant digits) and reported in
milliseconds. Every sample also keeps its time since the start of the run, for the plots and the
live p95 (a sliding window over the last seconds).
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

PERCENTILES = (50, 90, 95, 99)
_LOWEST_US = 1
_HIGHEST_US = 600_000_000
_DIGITS = 3
WINDOW_SECONDS = 10.0


def new_histogram() -> HdrHistogram:
    return HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)


def histogram_summary(histogram: HdrHistogram) -> dict[str, float | int | None]:
    """count, p50..p99 and max in milliseconds (None when there are no samples)."""
    count = histogram.get_total_count()
    summary: dict[str, float | int | None] = {"count": count}
    for pct in PERCENTILES:
        summary[f"p{pct}_ms"] = _ms(histogram.get_value_at_percentile(pct)) if count else None
    summary["max_ms"] = _ms(histogram.get_max_value()) if count else None
    return summary


def _ms(microseconds: int) -> float:
    return round(microseconds / 1000, 3)


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the run started
    mode: str
    action: str
    ms: float


@dataclass
class ActionStats:
    histogram: HdrHistogram = field(default_factory=new_histogram)
    errors: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    error_samples: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorder:
    stats: dict[tuple[str, str], ActionStats] = field(
        default_factory=lambda: defaultdict(ActionStats)
    )
    samples: list[Sample] = field(default_factory=list)
    recent: deque[Sample] = field(default_factory=deque)
    actions_done: int = 0

    def latency(self, at: float, mode: str, action: str, ms: float) -> None:
        value = max(_LOWEST_US, min(_HIGHEST_US, round(ms * 1000)))
        self.stats[(mode, action)].histogram.record_value(value)
        sample = Sample(round(at, 3), mode, action, round(ms, 3))
        self.samples.append(sample)
        self.recent.append(sample)
        self.actions_done += 1

    def error(self, mode: str, action: str, code: str, message: str = "") -> None:
        stats = self.stats[(mode, action)]
        stats.errors[code] += 1
        if message:
            stats.error_samples.setdefault(code, message[:300])

    def expected(self, mode: str, action: str, code: str, count: int = 1) -> None:
        """A refusal the scenario asked for (a late answerer's answer): reported, not an error."""
        self.stats[(mode, action)].expected[code] += count

    @property
    def errors(self) -> int:
        return sum(sum(stats.errors.values()) for stats in self.stats.values())

    def window_p95(self, now: float, window: float = WINDOW_SECONDS) -> float | None:
        """p95 over every action's samples of the last ``window`` seconds."""
        while self.recent and self.recent[0].at < now - window:
            self.recent.popleft()
        if not self.recent:
            return None
        ordered = sorted(sample.ms for sample in self.recent)
        return ordered[max(0, int(0.95 * len(ordered) + 0.999999) - 1)]

    def modes(self) -> dict[str, dict[str, Any]]:
        """Per mode, per action: the histogram's summary and the errors by code."""
        result: dict[str, dict[str, Any]] = defaultdict(dict)
        for (mode, action), stats in sorted(self.stats.items()):
            result[mode][action] = {
                **histogram_summary(stats.histogram),
                "errors": sum(stats.errors.values()),
                "errors_by_code": dict(stats.errors),
                "error_samples": dict(stats.error_samples),
                "expected_refusals": dict(stats.expected),
            }
        return dict(result)

    def merged(self, mode: str) -> HdrHistogram:
        merged = new_histogram()
        for (each_mode, _), stats in self.stats.items():
            if each_mode == mode:
                merged.add(stats.histogram)
        return merged
