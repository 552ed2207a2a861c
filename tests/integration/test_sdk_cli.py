"""`trivia account` and `trivia quiz` against the fake cloud: output, session file, errors."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from clients.cli.account import account
from clients.cli.quiz import quiz
from tests.integration.test_sdk_fake_cloud import FakeState, fake_cloud_in_thread

pytestmark = pytest.mark.integration

PASSWORD = "Sup3r-secret!"
DOCUMENT = {
    "name": "Capitals",
    "category": "geography",
    "mode": "single",
    "questions": [
        {
            "type": "multiple_choice",
            "text": "Capital of France?",
            "options": ["Paris", "Rome"],
            "answer": "Paris",
        },
        {"type": "open", "text": "Capital of Norway?", "answer": "Oslo"},
    ],
}


class Cli:
    def __init__(self, endpoints_file: Path, credentials: Path) -> None:
        self.endpoints_file = endpoints_file
        self.credentials = credentials
        self.runner = CliRunner(env={"TRIVIA_CREDENTIALS_FILE": str(credentials)})

    def __call__(self, group: Any, *args: str, input: str | None = None) -> Result:
        options = [*args, "--endpoints-file", str(self.endpoints_file)]
        return self.runner.invoke(group, options, input=input)

    def ok(self, group: Any, *args: str) -> str:
        result = self(group, *args)
        assert result.exit_code == 0, result.output
        return result.stdout

    def stored(self) -> dict[str, Any]:
        return json.loads(self.credentials.read_text())


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[tuple[Cli, FakeState]]:
    with fake_cloud_in_thread() as (endpoints, state):
        target = tmp_path / "endpoints.json"
        endpoints.write(target)
        yield Cli(target, tmp_path / "home" / "credentials.json"), state


@pytest.fixture
def author(cloud: tuple[Cli, FakeState]) -> tuple[Cli, FakeState]:
    cli, _ = cloud
    cli.ok(account, "register", "--username", "ann", "--email", "a@x.io", "--password", PASSWORD)
    return cloud


def _write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def test_register_logs_in_and_keeps_a_private_session(cloud: tuple[Cli, FakeState]) -> None:
    cli, state = cloud
    out = cli.ok(
        account, "register", "--username", "ann", "--email", "a@x.io", "--password", PASSWORD
    )
    assert "Registered ann" in out and "Logged in as ann" in out
    assert stat.S_IMODE(cli.credentials.stat().st_mode) == 0o600
    assert list(cli.stored()) == ["us-east-1_fake"]
    assert cli.stored()["us-east-1_fake"]["username"] == "ann"
    table = cli.ok(account, "whoami")
    assert "username" in table and "ann" in table
    profile = json.loads(cli.ok(account, "whoami", "--json"))
    assert profile["experience"] == 0


def test_password_is_prompted_and_hidden(cloud: tuple[Cli, FakeState]) -> None:
    cli, state = cloud
    entered = f"{PASSWORD}\n{PASSWORD}\n"
    result = cli(account, "register", "--username", "bob", "--email", "b@x.io", input=entered)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert state.users["bob"]["password"] == PASSWORD


def test_login_logout_and_the_errors_around_them(author: tuple[Cli, FakeState]) -> None:
    cli, state = author
    wrong = cli(account, "login", "--username", "ann", "--password", "Wrong-passw0rd!")
    assert wrong.exit_code == 1
    assert "error: not_authorized: Incorrect username or password." in wrong.stderr
    assert "Traceback" not in wrong.output
    assert "Logged out ann." in cli.ok(account, "logout")
    assert cli.stored() == {}
    assert "GlobalSignOut" in state.cognito_calls[-1][0]
    after = cli(account, "whoami")
    assert after.exit_code == 1
    assert "error: not_logged_in" in after.stderr
    assert "Not logged in." in cli.ok(account, "logout")
    assert "Logged in as ann." in cli.ok(
        account, "login", "--username", "ann", "--password", PASSWORD
    )


def test_an_ended_session_asks_to_log_in_again(author: tuple[Cli, FakeState]) -> None:
    cli, state = author
    state.revoke_access_tokens()
    state.refresh.clear()
    result = cli(account, "whoami")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: session_expired: Refresh Token has been revoked")
    assert "trivia account login" in result.stderr


def test_refreshed_tokens_are_saved_for_the_next_command(author: tuple[Cli, FakeState]) -> None:
    cli, state = author
    state.expires_in = 30  # inside the refresh margin: every command refreshes first
    cli.ok(account, "login", "--username", "ann", "--password", PASSWORD)
    before = cli.stored()["us-east-1_fake"]["access_token"]
    cli.ok(account, "whoami")
    after = cli.stored()["us-east-1_fake"]
    assert after["access_token"] != before
    assert after["access_token"] in state.access


def test_the_quiz_lifecycle(author: tuple[Cli, FakeState], tmp_path: Path) -> None:
    cli, state = author
    document = _write(tmp_path / "quiz.json", DOCUMENT)
    created = json.loads(cli.ok(quiz, "create", document, "--json"))
    quiz_id = created["quiz_id"]
    listing = cli.ok(quiz, "list")
    assert listing.splitlines()[0].split()[:3] == ["QUIZ_ID", "NAME", "CATEGORY"]
    assert quiz_id in listing and "Capitals" in listing
    shown = cli.ok(quiz, "show", quiz_id)
    assert "* Paris" in shown and "answer: Oslo" in shown
    renamed = _write(tmp_path / "renamed.json", {**DOCUMENT, "name": "Capitals II"})
    edited = cli.ok(quiz, "edit", quiz_id, renamed, "--if-version", "1")
    assert "Capitals II" in edited
    assert state.requests[-1].if_match == '"1"'
    assert "yes" in cli.ok(quiz, "activate", quiz_id)
    assert json.loads(cli.ok(quiz, "deactivate", quiz_id, "--json"))["active"] is False
    exported = tmp_path / "out.json"
    cli.ok(quiz, "export", quiz_id, "-o", str(exported))
    assert json.loads(exported.read_text())["name"] == "Capitals II"
    assert json.loads(cli.ok(quiz, "export", quiz_id))["questions"][1]["answer"] == "Oslo"
    assert f"Deleted quiz {quiz_id}." in cli.ok(quiz, "delete", quiz_id, "--yes")
    assert quiz_id not in state.quizzes


def test_imports_in_both_formats(author: tuple[Cli, FakeState], tmp_path: Path) -> None:
    cli, state = author
    trivia_file = _write(tmp_path / "quiz.json", DOCUMENT)
    renamed = json.loads(cli.ok(quiz, "import", trivia_file, "--name", "Renamed", "--json"))
    assert renamed["name"] == "Renamed"
    opentdb = {
        "response_code": 0,
        "results": [{"question": "2+2?", "correct_answer": "4", "incorrect_answers": ["5"]}],
    }
    opentdb_file = _write(tmp_path / "opentdb.json", opentdb)
    options = ["--format", "opentdb", "--name", "Maths", "--category", "maths", "--json"]
    imported = json.loads(cli.ok(quiz, "import", opentdb_file, *options))
    assert imported["mode"] == "single"
    body = state.requests[-1].body
    assert body == {
        "format": "opentdb",
        "document": opentdb,
        "name": "Maths",
        "category": "maths",
        "mode": "single",
    }


def test_api_errors_are_shown_by_code_without_a_traceback(author: tuple[Cli, FakeState]) -> None:
    cli, state = author
    missing = cli(quiz, "show", "nope")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "error: quiz_not_found: no such quiz"
    problems = {
        "error": {
            "code": "validation_failed",
            "message": "name: too short",
            "details": {"problems": [{"field": "name", "problem": "too short"}]},
        }
    }
    state.fail_next("GET /quizzes", 400, problems)
    invalid = cli(quiz, "list")
    assert invalid.exit_code == 1
    assert invalid.stderr.splitlines() == [
        "error: validation_failed: name: too short",
        "  - name: too short",
    ]
