"""`trivia account` and `trivia quiz` against the real local cloud, as subprocesses."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clients.sdk.endpoints import Endpoints

pytestmark = pytest.mark.e2e

CLI = "from clients.cli.main import main; main()"
PASSWORD = "Correct-Horse-1"
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
OPENTDB = {
    "response_code": 0,
    "results": [
        {
            "type": "boolean",
            "difficulty": "easy",
            "category": "Science",
            "question": "&quot;H2O&quot; is water.",
            "correct_answer": "True",
            "incorrect_answers": ["False"],
        }
    ],
}


class Trivia:
    def __init__(self, endpoints: Endpoints, directory: Path) -> None:
        self.directory = directory
        self.credentials = directory / "credentials.json"
        endpoints.write(directory / "endpoints.json")
        self.env = {
            **os.environ,
            "TRIVIA_ENDPOINTS_FILE": str(directory / "endpoints.json"),
            "TRIVIA_CREDENTIALS_FILE": str(self.credentials),
        }

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-c", CLI, *args]
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=60, env=self.env, cwd=self.directory
        )

    def ok(self, *args: str) -> str:
        done = self(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json"))

    def file(self, name: str, data: Any) -> str:
        path = self.directory / name
        path.write_text(json.dumps(data))
        return str(path)


@pytest.fixture
def trivia(local_cloud: Endpoints, tmp_path: Path) -> Trivia:
    return Trivia(local_cloud, tmp_path)


def _fresh_name() -> str:
    return f"cli_{secrets.token_hex(4)}"


def test_account_register_login_whoami_logout(trivia: Trivia) -> None:
    name = _fresh_name()
    registered = trivia.ok(
        "account",
        "register",
        "--username",
        name,
        "--email",
        f"{name}@example.com",
        "--password",
        PASSWORD,
    )
    assert f"Registered {name}" in registered
    assert stat.S_IMODE(trivia.credentials.stat().st_mode) == 0o600
    profile = trivia.json("account", "whoami")
    assert (profile["username"], profile["experience"], profile["level"]) == (name, 0, 1)
    taken = trivia(
        "account",
        "register",
        "--username",
        name,
        "--email",
        "x@example.com",
        "--password",
        PASSWORD,
    )
    assert taken.returncode == 1
    assert taken.stderr.startswith("error: username_taken:")
    wrong = trivia("account", "login", "--username", name, "--password", "Wrong-Horse-1")
    assert (wrong.returncode, wrong.stderr.split(":")[:2]) == (1, ["error", " not_authorized"])
    assert f"Logged out {name}." in trivia.ok("account", "logout")
    after = trivia("account", "whoami")
    assert after.returncode == 1 and "not_logged_in" in after.stderr
    assert f"Logged in as {name}." in trivia.ok(
        "account", "login", "--username", name, "--password", PASSWORD
    )


def test_quiz_admin_round_trip(trivia: Trivia) -> None:
    name = _fresh_name()
    trivia.ok(
        "account",
        "register",
        "--username",
        name,
        "--email",
        f"{name}@example.com",
        "--password",
        PASSWORD,
    )
    created = trivia.json("quiz", "create", trivia.file("quiz.json", DOCUMENT))
    quiz_id = created["quiz_id"]
    assert [q["question_id"] for q in created["questions"]] == ["q1", "q2"]
    assert [q["quiz_id"] for q in trivia.json("quiz", "list")] == [quiz_id]
    shown = trivia.ok("quiz", "show", quiz_id)
    assert "* Paris" in shown and "answer: Oslo" in shown

    renamed = trivia.file("renamed.json", {**DOCUMENT, "name": "Capitals II"})
    stale = trivia("quiz", "edit", quiz_id, renamed, "--if-version", "7")
    assert stale.returncode == 1 and "error: quiz_version_conflict:" in stale.stderr
    edited = trivia.json("quiz", "edit", quiz_id, renamed, "--if-version", "1")
    assert (edited["name"], edited["version"]) == ("Capitals II", 2)

    assert trivia.json("quiz", "activate", quiz_id)["active"] is True
    assert trivia.json("quiz", "deactivate", quiz_id)["active"] is False
    trivia.ok("quiz", "export", quiz_id, "-o", "exported.json")
    exported = json.loads((trivia.directory / "exported.json").read_text())
    assert exported["name"] == "Capitals II" and "quiz_id" not in exported
    copy = trivia.json("quiz", "import", "exported.json", "--name", "Copy")
    assert (copy["name"], len(copy["questions"])) == ("Copy", 2)

    imported = trivia.json(
        "quiz",
        "import",
        trivia.file("opentdb.json", OPENTDB),
        "--format",
        "opentdb",
        "--name",
        "Science",
        "--category",
        "science",
    )
    assert imported["mode"] == "single"
    assert imported["questions"][0]["text"] == '"H2O" is water.'
    assert imported["questions"][0]["options"] == ["True", "False"]

    assert f"Deleted quiz {copy['quiz_id']}." in trivia.ok(
        "quiz", "delete", copy["quiz_id"], "--yes"
    )
    gone = trivia("quiz", "show", copy["quiz_id"])
    assert gone.returncode == 1
    assert gone.stderr.startswith("error: quiz_not_found:")
    assert "Traceback" not in gone.stderr
