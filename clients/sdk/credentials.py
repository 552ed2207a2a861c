"""The CLI's token store: one JSON file, one entry per user pool, readable by its owner only.

Keyed by the endpoints' user pool id, so logging in to one deployment (a local cloud, a stack
on AWS) never replaces or leaks into another's session. The file is written to a temporary
file created with mode 0600 and renamed into place, so it is never briefly world-readable and
a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clients.sdk.tokens import Tokens

CREDENTIALS_FILE_VARIABLE = "TRIVIA_CREDENTIALS_FILE"


def default_credentials_path(environ: Mapping[str, str] = os.environ) -> Path:
    """``$TRIVIA_CREDENTIALS_FILE``, else ``~/.trivia/credentials.json``."""
    configured = environ.get(CREDENTIALS_FILE_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".trivia" / "credentials.json"


@dataclass(frozen=True)
class Session:
    username: str
    tokens: Tokens


class CredentialStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, user_pool_id: str) -> Session | None:
        entry = self._read().get(user_pool_id)
        if not isinstance(entry, dict):
            return None
        try:
            return Session(username=str(entry["username"]), tokens=Tokens.from_dict(entry))
        except (KeyError, TypeError, ValueError):
            return None  # an entry from an older or damaged file: treat as logged out

    def save(self, user_pool_id: str, session: Session) -> None:
        entries = self._read()
        entries[user_pool_id] = {"username": session.username, **session.tokens.to_dict()}
        self._write(entries)

    def delete(self, user_pool_id: str) -> bool:
        entries = self._read()
        if entries.pop(user_pool_id, None) is None:
            return False
        self._write(entries)
        return True

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:
            return {}  # unreadable: logging in again rewrites it
        return data if isinstance(data, dict) else {}

    def _write(self, entries: dict[str, Any]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(entries, handle, indent=2)
        os.chmod(temporary, 0o600)  # a leftover temporary file would keep its old mode
        os.replace(temporary, self.path)
