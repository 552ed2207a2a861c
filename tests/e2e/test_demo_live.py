"""`trivia demo live` against the real local cloud, run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clients.sdk.endpoints import Endpoints

pytestmark = pytest.mark.e2e

CLI = "from clients.cli.main import main; main()"
FIELDS = {
    "mode",
    "players",
    "questions",
    "winners",
    "errors",
    "scoreboard_p50_ms",
    "scoreboard_p95_ms",
}


def _demo(endpoints: Endpoints, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    target = tmp_path / "endpoints.json"
    endpoints.write(target)
    argv = [sys.executable, "-c", CLI, "demo", "live", "--endpoints-file", str(target), *args]
    # The demo keeps no session, but never let a test touch the user's own credentials file.
    private = {"TRIVIA_CREDENTIALS_FILE": str(tmp_path / "credentials.json")}
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=280, env={**os.environ, **private}
    )


def test_twenty_players_one_winner_per_question_and_everything_adds_up(
    local_cloud: Endpoints, tmp_path: Path
) -> None:
    done = _demo(local_cloud, tmp_path, "--players", "20", "--questions", "4", "--seed", "7")
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.strip().splitlines()
    summary = json.loads(line)
    assert set(summary) == FIELDS
    assert (summary["mode"], summary["players"], summary["questions"]) == ("live", 20, 4)
    assert (summary["winners"], summary["errors"]) == (4, 0)
    assert 0 < summary["scoreboard_p50_ms"] <= summary["scoreboard_p95_ms"]


def test_two_hundred_players_on_this_machine(local_cloud: Endpoints, tmp_path: Path) -> None:
    done = _demo(
        local_cloud,
        tmp_path,
        "--players",
        "200",
        "--questions",
        "3",
        "--seed",
        "11",
        "--concurrency",
        "40",
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["players"], summary["questions"], summary["winners"]) == (200, 3, 3)
    assert summary["errors"] == 0
