"""`trivia demo single` against the fake cloud: the run, its JSON line, and its verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from clients.cli.demo import demo
from clients.sdk.endpoints import Endpoints
from tests.integration.test_sdk_fake_cloud import FakeState, fake_cloud_in_thread

pytestmark = pytest.mark.integration

FIELDS = {"mode", "players", "plays", "errors", "p50_ms", "p95_ms"}


def _demo(endpoints: Endpoints, tmp_path: Path, *args: str) -> tuple[Result, dict[str, Any]]:
    target = tmp_path / "endpoints.json"
    endpoints.write(target)
    options = ["single", "--think-ms", "0..5", "--endpoints-file", str(target), *args]
    result = CliRunner().invoke(demo, options)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.output
    return result, json.loads(lines[0])


def _scores(state: FakeState) -> list[list[int]]:
    return [sorted(board.values()) for board in state.boards.values()]


def test_demo_plays_verifies_and_prints_one_json_line(tmp_path: Path) -> None:
    with fake_cloud_in_thread() as (endpoints, state):
        state.writer_delay = 0.3  # the writers lag, as SNS makes them; the demo must wait
        result, summary = _demo(endpoints, tmp_path, "--players", "12", "--seed", "4")
    assert result.exit_code == 0, result.stderr
    assert set(summary) == FIELDS
    assert (summary["mode"], summary["players"], summary["plays"], summary["errors"]) == (
        "single",
        12,
        12,
        0,
    )
    assert 0 < summary["p50_ms"] <= summary["p95_ms"]
    assert len(state.users) == 13  # one author, twelve bots, all fresh
    [board] = state.boards.values()
    assert len(board) == 12
    author = next(p for p in state.profiles.values() if p["username"].endswith("_author"))
    bots = [p for p in state.profiles.values() if p is not author]
    assert author["experience"] == sum(p["experience"] for p in bots) > 0


def test_the_same_seed_replays_the_same_answers(tmp_path: Path) -> None:
    with fake_cloud_in_thread() as (endpoints, state):
        for _ in range(2):
            result, _ = _demo(endpoints, tmp_path, "--players", "6", "--seed", "11")
            assert result.exit_code == 0, result.stderr
        first, second = _scores(state)
        assert len(set(state.users)) == 14  # names are fresh per run, whatever the seed
    assert first == second


def test_accuracy_one_means_every_bot_scores_full_marks(tmp_path: Path) -> None:
    with fake_cloud_in_thread() as (endpoints, state):
        result, _ = _demo(endpoints, tmp_path, "--players", "4", "--accuracy", "1")
        assert result.exit_code == 0, result.stderr
        assert _scores(state) == [[100, 100, 100, 100]]


def test_writers_that_never_catch_up_are_errors(tmp_path: Path) -> None:
    with fake_cloud_in_thread() as (endpoints, state):
        state.writer_delay = 60
        result, summary = _demo(
            endpoints, tmp_path, "--players", "3", "--accuracy", "1", "--verify-timeout", "0.5"
        )
    assert result.exit_code == 1
    # Per bot: leaderboard and experience; plus the author's experience and the top list.
    assert (summary["plays"], summary["errors"]) == (3, 8)
    assert "experience_mismatch" in result.stderr
    assert "leaderboard_mismatch" in result.stderr


def test_failed_plays_are_counted_by_code(tmp_path: Path) -> None:
    with fake_cloud_in_thread() as (endpoints, state):
        gone = {"error": {"code": "quiz_not_found", "message": "no such game"}}
        state.fail_next("POST /games/single/{quiz_id}/plays", 404, gone, times=2)
        result, summary = _demo(endpoints, tmp_path, "--players", "5")
    assert result.exit_code == 1
    assert (summary["plays"], summary["errors"]) == (3, 2)
    assert "play:quiz_not_found x2" in result.stderr


def test_a_failed_setup_still_ends_with_the_json_line(tmp_path: Path) -> None:
    with fake_cloud_in_thread() as (endpoints, state):
        busy = {"error": {"code": "service_unavailable", "message": "down", "retryable": True}}
        state.fail_next("POST /quizzes", 503, busy)
        result, summary = _demo(endpoints, tmp_path, "--players", "2")
    assert result.exit_code == 1
    assert (summary["plays"], summary["errors"]) == (0, 1)
    assert "setup:service_unavailable" in result.stderr
