"""Seed sample quizzes through the public HTTP API, exactly as a real author would.

Register ``quizmaster`` (``POST /accounts``), log in with Cognito ``InitiateAuth``
(USER_PASSWORD_AUTH, the unsigned JSON API call a client makes), create each quiz in
``infra/local/seed/*.json`` (``POST /quizzes``) and activate the single-player ones. Going through
the API rather than writing to DynamoDB keeps the seed honest: it fails when the API would fail
a real author.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clients.sdk.endpoints import Endpoints

SEED_DIR = Path(__file__).with_name("seed")
AUTHOR = "quizmaster"


class SeedError(RuntimeError):
    """Seeding failed; the message says at which step and what the API answered."""


@dataclass(frozen=True)
class SeedResult:
    created: int
    activated: int


def seed_files(seed_dir: Path = SEED_DIR) -> list[Path]:
    return sorted(seed_dir.glob("*.json"))


def seed_quizzes(endpoints: Endpoints, files: list[Path]) -> SeedResult:
    password = secrets.token_urlsafe(18) + "Aa1!"  # meets the pool's password policy
    api = endpoints.http_api_url.rstrip("/")
    _call(
        "POST",
        f"{api}/accounts",
        {
            "username": AUTHOR,
            "email": f"{AUTHOR}@example.com",
            "password": password,
        },
    )
    token = log_in(endpoints, AUTHOR, password)
    created = activated = 0
    for path in files:
        quiz = _call("POST", f"{api}/quizzes", json.loads(path.read_text("utf-8")), token)
        created += 1
        if quiz.get("mode") == "single":  # only single-player quizzes are playable for now
            _call("POST", f"{api}/quizzes/{quiz['quiz_id']}/activate", None, token)
            activated += 1
    return SeedResult(created, activated)


def log_in(endpoints: Endpoints, username: str, password: str) -> str:
    """An access token from Cognito's USER_PASSWORD_AUTH (unsigned, as a client calls it)."""
    answer = _call(
        "POST",
        endpoints.cognito_url,
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": endpoints.user_pool_client_id,
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    return str(answer["AuthenticationResult"]["AccessToken"])


def _call(
    method: str,
    url: str,
    body: Any,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 (loopback URLs from the endpoints)
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    step = f"{method} {url}"
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            text = response.read()
    except urllib.error.HTTPError as error:
        raise SeedError(f"{step} answered {error.code}: {_reason(error.read())}") from None
    except OSError as error:
        raise SeedError(f"{step} failed: {error}") from None
    return json.loads(text) if text else {}


def _reason(body: bytes) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace")
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code')}: {error.get('message')}"
    if isinstance(document, dict):
        return str(document.get("message") or document.get("__type") or document)[:200]
    return str(document)[:200]
