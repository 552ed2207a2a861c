"""`trivia demo single` against the real local cloud, run as a user runs it (a subprocess)."""

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
FIELDS = {"mode", "players", "plays", "errors", "p50_ms", "p95_ms"}


def _demo(endpoints: Endpoints, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    target = tmp_path / "endpoints.json"
    endpoints.write(target)
    argv = [sys.executable, "-c", CLI, "demo", "single", "--endpoints-file", str(target), *args]
    # The demo keeps no session, but never let a test touch the user's own credentials file.
    private = {"TRIVIA_CREDENTIALS_FILE": str(tmp_path / "credentials.json")}
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **private},
    )


def test_ten_bots_play_and_everything_adds_up(local_cloud: Endpoints, tmp_path: Path) -> None:
    done = _demo(local_cloud, tmp_path, "--players", "10", "--seed", "7")
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.strip().splitlines()
    summary = json.loads(line)
    assert set(summary) == FIELDS
    assert (summary["mode"], summary["players"], summary["plays"], summary["errors"]) == (
        "single",
        10,
        10,
        0,
    )
    assert 0 < summary["p50_ms"] <= summary["p95_ms"]
