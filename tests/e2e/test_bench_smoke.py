"""`trivia bench` against the local cloud, at a toy size: every figure has its floor beside it.

Checks the report's shape and consistency (rows, samples, ratios, no errors), never timings:
performance is measured and printed, not asserted (QUALITY.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clients.sdk.endpoints import Endpoints
from load.bench import floors, run

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_every_figure_is_measured_beside_its_floor(
    local_cloud: Endpoints, tmp_path: Path
) -> None:
    endpoints_file = tmp_path / "endpoints.json"
    local_cloud.write(endpoints_file)
    argv = [sys.executable, "-c", "from clients.cli.main import main; main()", "bench",
            "--players", "3", "--concurrency", "4", "--single-bots", "3",
            "--single-seconds", "2", "--endpoints-file", str(endpoints_file),
            "--report-dir", str(tmp_path / "bench")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=240, cwd=ROOT)
    print(done.stdout)  # the table: figures are printed, never asserted
    assert done.returncode == 0, done.stderr[-3000:]

    report = json.loads((tmp_path / "bench" / "bench.json").read_text(encoding="utf-8"))
    figures = [row["figure"] for row in report["rows"]]
    expected = [run.SINGLE, run.SINGLE_PACED, run.HOSTED, run.WS_CONNECT]
    if local_cloud.mqtt_host:
        expected += [run.LIVE, run.MQTT_CONNECT]
    assert figures == expected
    assert not any(report["errors"].values())
    for row in report["rows"]:
        assert row["samples"] > 0, row["figure"]
        assert 0 < row["p50_ms"] <= row["p95_ms"], row["figure"]
        assert 0 < row["floor_p50_ms"] <= row["floor_p95_ms"], row["figure"]
        assert row["ratio_p95"] == round(row["p95_ms"] / row["floor_p95_ms"], 2)
    # The local cloud's HTTP floor is its own gateway's echo route, not a bare server.
    assert [row["floor"] for row in report["rows"][:2]] == [
        floors.GATEWAY_ECHO, floors.GATEWAY_ECHO + run.SAME_PACING]
    assert (tmp_path / "bench" / "bench.txt").read_text(encoding="utf-8").startswith("figure")
    assert run.HOSTED in done.stdout
