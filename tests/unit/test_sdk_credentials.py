from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from clients.sdk.credentials import CredentialStore, Session, default_credentials_path
from clients.sdk.tokens import Tokens

pytestmark = pytest.mark.unit


def _session(name: str) -> Session:
    return Session(username=name, tokens=Tokens(f"a-{name}", "i", "r", expires_at=99.0))


def test_default_path_is_under_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_credentials_path({}) == tmp_path / ".trivia" / "credentials.json"


def test_default_path_follows_the_environment_variable(tmp_path: Path) -> None:
    target = tmp_path / "creds.json"
    assert default_credentials_path({"TRIVIA_CREDENTIALS_FILE": str(target)}) == target


def test_saved_file_is_private_and_keyed_by_pool(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "dir" / "credentials.json")
    store.save("pool-a", _session("ann"))
    store.save("pool-b", _session("bob"))
    mode = stat.S_IMODE(store.path.stat().st_mode)
    assert mode == 0o600
    assert store.load("pool-a") == _session("ann")
    assert store.load("pool-b") == _session("bob")
    assert set(json.loads(store.path.read_text())) == {"pool-a", "pool-b"}


def test_missing_file_and_unknown_pool_mean_logged_out(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    assert store.load("pool-a") is None
    store.save("pool-a", _session("ann"))
    assert store.load("pool-z") is None


def test_delete_removes_only_that_pool(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path / "credentials.json")
    store.save("pool-a", _session("ann"))
    store.save("pool-b", _session("bob"))
    assert store.delete("pool-a") is True
    assert store.delete("pool-a") is False
    assert store.load("pool-a") is None
    assert store.load("pool-b") == _session("bob")


def test_damaged_file_reads_as_logged_out_and_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("{not json")
    store = CredentialStore(path)
    assert store.load("pool-a") is None
    store.save("pool-a", _session("ann"))
    assert store.load("pool-a") == _session("ann")


def test_damaged_entry_reads_as_logged_out(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"pool-a": {"username": "ann"}}))
    assert CredentialStore(path).load("pool-a") is None
