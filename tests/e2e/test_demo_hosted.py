"""`trivia demo hosted` against the local cloud (`trivia up`): a casual and a competitive game
of 20 player bots, run, checked and summed up in one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clients.cli.demo import demo
from clients.sdk.endpoints import Endpoints

pytestmark = pytest.mark.e2e

# The writers get each result through SNS, one by one: generous on a busy CI machine; the demo
# stops waiting as soon as everything adds up.
VERIFY_TIMEOUT = 180
FIELDS = {"mode", "players", "questions", "errors", "broadcast_p50_ms", "broadcast_p95_ms"}


@pytest.mark.parametrize(("mode", "questions"), [("casual", 3), ("competitive", 4)])
def test_demo_hosted_runs_a_checked_game_for_20_players(
    local_cloud: Endpoints, tmp_path: Path, mode: str, questions: int
) -> None:
    endpoints_file = tmp_path / "endpoints.json"
    local_cloud.write(endpoints_file)
    options = ["hosted", "--players", "20", "--mode", mode, "--questions", str(questions),
               "--seed", "20", "--verify-timeout", str(VERIFY_TIMEOUT),
               "--endpoints-file", str(endpoints_file)]
    result = CliRunner().invoke(demo, options)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.output
    summary = json.loads(lines[0])
    assert result.exit_code == 0, result.stderr
    assert set(summary) == FIELDS
    assert (summary["mode"], summary["players"], summary["questions"], summary["errors"]) == (
        "hosted", 20, questions, 0)
    assert 0 < summary["broadcast_p50_ms"] <= summary["broadcast_p95_ms"]
