from __future__ import annotations

import pytest

from load.recorder import Recorder

pytestmark = pytest.mark.unit


def test_percentiles_are_ordered_and_in_milliseconds() -> None:
    recorder = Recorder()
    for ms in range(1, 101):
        recorder.latency(ms / 10, "single", "answer", float(ms))
    stats = recorder.modes()["single"]["answer"]
    assert stats["count"] == 100
    assert stats["p50_ms"] == pytest.approx(50, rel=0.01)
    assert stats["p99_ms"] == pytest.approx(99, rel=0.01)
    ordered = [stats[k] for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms")]
    assert ordered == sorted(ordered)


def test_errors_are_counted_by_code_with_one_message_each() -> None:
    recorder = Recorder()
    recorder.error("hosted", "question", "connect:timeout", "first")
    recorder.error("hosted", "question", "connect:timeout", "second")
    recorder.error("hosted", "unit", "cancelled")
    modes = recorder.modes()["hosted"]
    assert modes["question"]["errors_by_code"] == {"connect:timeout": 2}
    assert modes["question"]["error_samples"] == {"connect:timeout": "first"}
    assert modes["question"]["count"] == 0 and modes["question"]["p95_ms"] is None
    assert recorder.errors == 3


def test_the_live_p95_only_looks_at_the_recent_window() -> None:
    recorder = Recorder()
    recorder.latency(1.0, "live", "scoreboard", 900.0)
    for i in range(20):
        recorder.latency(20.0, "live", "scoreboard", float(i))
    assert recorder.window_p95(now=21.0, window=10.0) == 18.0
    assert recorder.window_p95(now=100.0, window=10.0) is None
