"""CLI parsing, wiring and error output; nothing here reaches a network."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from clients.cli import commands
from clients.cli.account import account
from clients.cli.demo import demo, parse_range
from clients.cli.quiz import quiz
from clients.cli.support import (
    BOTS_SWITCH_INTERVAL_SECONDS,
    emit_table,
    failure_from,
    run_bots,
)
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import ApiError, NotLoggedIn

pytestmark = pytest.mark.unit


@pytest.fixture
def endpoints_file(tmp_path: Path) -> Path:
    # Port 9 (discard): any attempt to call it would fail loudly, not hang.
    target = tmp_path / "endpoints.json"
    Endpoints(
        http_api_url="http://127.0.0.1:9",
        region="us-east-1",
        user_pool_id="pool",
        user_pool_client_id="client",
        cognito_endpoint_url="http://127.0.0.1:9/",
    ).write(target)
    return target


@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    return CliRunner(env={"TRIVIA_CREDENTIALS_FILE": str(tmp_path / "none.json")})


def test_groups_are_registered() -> None:
    names = {command.name for command in commands.all_commands()}
    assert {"account", "quiz", "demo"} <= names


@pytest.mark.parametrize(
    ("text", "expected"), [("0..200", (0, 200)), ("50", (50, 50)), (" 5 .. 7 ", (5, 7))]
)
def test_think_ranges(text: str, expected: tuple[int, int]) -> None:
    assert parse_range(None, None, text) == expected


@pytest.mark.parametrize("text", ["", "a..b", "200..100", "-1..5", "1..2..3"])
def test_bad_think_ranges(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_range(None, None, text)


@pytest.mark.parametrize(
    "args",
    [
        ["single", "--players", "0"],
        ["single", "--accuracy", "1.5"],
        ["single", "--think-ms", "9..1"],
        ["single", "--concurrency", "0"],
    ],
)
def test_demo_refuses_bad_options(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(demo, args)
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_a_missing_endpoints_file_is_explained(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(account, ["whoami", "--endpoints-file", str(tmp_path / "no.json")])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no_endpoints: no endpoints file at")
    assert "trivia up" in result.stderr


def test_a_damaged_endpoints_file_is_explained(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "endpoints.json"
    target.write_text(json.dumps({"region": "us-east-1"}))
    result = runner.invoke(quiz, ["list", "--endpoints-file", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: bad_endpoints:")


def test_commands_need_a_login_first(runner: CliRunner, endpoints_file: Path) -> None:
    result = runner.invoke(quiz, ["list", "--endpoints-file", str(endpoints_file)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: not_logged_in: not logged in: run `trivia account login` first"
    )


def test_a_quiz_file_must_be_a_json_object(
    runner: CliRunner, endpoints_file: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "quiz.json"
    broken.write_text("[1, 2]")
    result = runner.invoke(quiz, ["create", str(broken), "--endpoints-file", str(endpoints_file)])
    assert result.exit_code == 1
    assert "error: bad_file:" in result.stderr and "JSON object" in result.stderr
    broken.write_text("{oops")
    result = runner.invoke(quiz, ["create", str(broken), "--endpoints-file", str(endpoints_file)])
    assert "is not valid JSON" in result.stderr


def test_opentdb_import_needs_a_name_and_category(
    runner: CliRunner, endpoints_file: Path, tmp_path: Path
) -> None:
    source = tmp_path / "opentdb.json"
    source.write_text(json.dumps({"response_code": 0, "results": []}))
    args = ["import", str(source), "--format", "opentdb", "--endpoints-file", str(endpoints_file)]
    result = runner.invoke(quiz, [*args, "--category", "maths"])
    assert result.exit_code == 2
    assert "--format opentdb needs --name" in result.output


def test_delete_asks_first(runner: CliRunner, endpoints_file: Path) -> None:
    result = runner.invoke(
        quiz, ["delete", "q1", "--endpoints-file", str(endpoints_file)], input="n\n"
    )
    assert result.exit_code == 1
    assert "Delete quiz q1?" in result.output and "Aborted" in result.output


def test_failures_show_code_message_and_problems() -> None:
    error = ApiError(
        400,
        "validation_failed",
        "2 problems",
        details={"problems": [{"field": "name", "problem": "too short"}, {"field": "mode"}]},
    )
    assert failure_from(error).format_message() == (
        "validation_failed: 2 problems\n  - name: too short\n  - mode: ?"
    )
    assert "trivia account login" in failure_from(NotLoggedIn("not logged in")).message


def test_tables_align_columns_and_mark_empty_cells(capsys: pytest.CaptureFixture[str]) -> None:
    emit_table(
        [{"quiz_id": "a1", "name": "Long name", "active": True}, {"quiz_id": "b22", "name": "X"}],
        ["quiz_id", "name", "active"],
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "QUIZ_ID  NAME       ACTIVE",
        "a1       Long name  yes",
        "b22      X          -",
    ]


def test_bots_run_on_uvloop_with_a_short_switch_interval_restored_after() -> None:
    before = sys.getswitchinterval()

    async def inside() -> tuple[float, str]:
        return sys.getswitchinterval(), type(asyncio.get_running_loop()).__module__

    interval, loop_module = run_bots(inside())
    assert interval == pytest.approx(BOTS_SWITCH_INTERVAL_SECONDS) != pytest.approx(before)
    assert loop_module.startswith("uvloop")
    assert sys.getswitchinterval() == pytest.approx(before)

    async def failing() -> None:
        raise RuntimeError("a bot failed")

    with pytest.raises(RuntimeError):
        run_bots(failing())
    assert sys.getswitchinterval() == pytest.approx(before)
