from __future__ import annotations

import click
import pytest

from clients.cli.bench import parse_players
from load.bench.run import row, table
from load.bench.timing import PhaseTimes, p50_p95, percentile

pytestmark = pytest.mark.unit


def test_a_row_is_our_p95_over_the_floors() -> None:
    made = row("hosted", 100, [10.0] * 19 + [40.0], [2.0] * 19 + [8.0], "bare websockets")
    assert made["p50_ms"] == 10.0 and made["p95_ms"] == 10.0
    assert made["floor_p95_ms"] == 2.0 and made["ratio_p95"] == 5.0
    assert made["samples"] == 20 and made["floor"] == "bare websockets"


def test_a_row_without_samples_has_no_ratio() -> None:
    assert row("live", 10, [], [1.0], "mosquitto")["ratio_p95"] is None
    assert row("live", 10, [1.0], [], "mosquitto")["ratio_p95"] is None


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0 and percentile(values, 95) == 95.0
    assert p50_p95([]) == {"n": 0, "p50_ms": None, "p95_ms": None}


def test_phase_times_keep_one_mark_per_step() -> None:
    times = PhaseTimes()
    with times("connecting", 3) as bar:
        bar.update(1)
        bar.update(2)
    marks = times.marks["connecting"]
    assert len(marks) == 3 and marks == sorted(marks) and marks[0] >= 0


def test_the_table_shows_every_row_and_the_load() -> None:
    machine = {"cpus": 2, "load_average": [0.5, 0.4, 0.3]}
    report = {
        "rows": [row("hosted", 100, [5.0], [1.0], "ws"), row("single", 100, [], [1.0], "echo")],
        "errors": {"hosted@100": {}},
        "machine_before": machine,
        "machine_after": machine,
    }
    text = table(report)
    assert "hosted" in text and "single" in text and "5.0" in text
    assert "[0.5, 0.4, 0.3]" in text


@pytest.mark.parametrize("value", ["", "0", "ten", "100,-1"])
def test_bad_player_counts_are_refused(value: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_players(None, None, value)


def test_player_counts_parse() -> None:
    assert parse_players(None, None, "100, 1000") == [100, 1000]
