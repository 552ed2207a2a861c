"""`trivia load load/scenarios/smoke.toml` against the local cloud: the report holds together.

Checks fields and consistency (counts, no errors, ordered percentiles), never timings:
performance is measured and printed, not asserted (QUALITY.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clients.sdk.endpoints import Endpoints

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ROOT / "load" / "scenarios" / "smoke.toml"
PERCENTILES = ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms")


@pytest.fixture(scope="module")
def smoke_report(local_cloud: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("load-smoke")
    endpoints_file = directory / "endpoints.json"
    local_cloud.write(endpoints_file)
    argv = [
        sys.executable,
        "-c",
        "from clients.cli.main import main; main()",
        "load",
        str(SMOKE),
        "--endpoints-file",
        str(endpoints_file),
        "--report-dir",
        str(directory / "report"),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=240, cwd=ROOT)
    print(done.stderr)  # the summary: figures are printed, never asserted
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(directory / "report" / "report.json")
    return directory / "report"


def test_every_mode_played_without_errors(smoke_report: Path, local_cloud: Endpoints) -> None:
    report = json.loads((smoke_report / "report.json").read_text(encoding="utf-8"))
    expected = {"single", "hosted"} | ({"live"} if local_cloud.mqtt_host else set())
    assert set(report["modes"]) == expected
    assert report["errors"] == 0
    assert report["units"]["started"] == report["units"]["finished"] > 0
    assert report["peak_players"] > 0
    # Players in play (connected to a game, or playing) were counted through the run.
    phases = report["players_by_phase"]
    assert max(p["in_play_max"] for p in phases.values()) > 0
    assert all(p["in_play_max"] <= p["players_max"] for p in phases.values())
    for mode, actions in report["modes"].items():
        totals = actions.pop("_totals")
        assert totals["units"] > 0 and totals["players"] > 0 and totals["errors"] == 0, mode
        assert {
            "unit",
            {"single": "answer", "hosted": "question", "live": "scoreboard"}[mode],
        } <= set(actions)
        for action, stats in actions.items():
            assert stats["count"] > 0 and stats["errors"] == 0, (mode, action)
            values = [stats[key] for key in PERCENTILES]
            assert values == sorted(values) and values[0] > 0, (mode, action, values)
            assert stats["throughput_per_s"] > 0


def test_the_cloud_side_was_measured(smoke_report: Path) -> None:
    report = json.loads((smoke_report / "report.json").read_text(encoding="utf-8"))
    cloud, redis = report["cloud"], report["redis"]
    assert cloud["available"] and cloud["cpu_seconds"] >= 0
    assert cloud["rss_peak_mb"] >= cloud["rss_start_mb"] > 0
    assert {"redis-server"} <= set(cloud["processes"])
    assert redis["available"] and redis["commands"] > 0 and redis["answers"] > 0
    assert redis["commands_per_answer"] == pytest.approx(redis["commands"] / redis["answers"], 0.01)
    dynamodb = report["dynamodb"]  # counted by the local moto, by operation
    assert dynamodb["available"] and dynamodb["calls"] == sum(dynamodb["by_operation"].values())
    assert {"GetItem", "TransactWriteItems"} <= set(dynamodb["by_operation"])
    assert dynamodb["calls_per_answer"] == pytest.approx(
        dynamodb["calls"] / dynamodb["answers"], 0.01)
    assert report["machine"]["cpus"] >= 1


def test_summary_and_plots_are_written(smoke_report: Path) -> None:
    summary = (smoke_report / "summary.txt").read_text(encoding="utf-8")
    assert "scenario smoke" in summary and "0 errors" in summary
    for name in ("latency_over_time.png", "latency_distribution.png"):
        assert (smoke_report / name).read_bytes().startswith(b"\x89PNG")
