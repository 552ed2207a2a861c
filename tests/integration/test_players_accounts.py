"""Registration through moto's Cognito and the profile routes, through the handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from services.players.handlers import accounts
from tests.integration.play_support import (
    EVENTS,
    LocalAws,
    Player,
    call,
    http_event,
    local_aws,
)

pytestmark = pytest.mark.integration

REGISTRATION = json.loads(json.loads((EVENTS / "players_http_request.json").read_text())["body"])


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    with local_aws(monkeypatch) as aws:
        yield aws


def _register(**changes: Any) -> tuple[int, Any]:
    return call(accounts, http_event("POST /accounts", player=None,
                                     body={**REGISTRATION, **changes}))


def _users(cloud: LocalAws) -> list[str]:
    users = cloud.cognito.list_users(UserPoolId=cloud.refs["UserPool"])["Users"]
    return [user["Username"] for user in users]


def _me(player: Player) -> dict[str, Any]:
    status, body = call(accounts, http_event("GET /me", player=player))
    assert status == 200, body
    return body


def _patch(player: Player, body: Any) -> tuple[int, Any]:
    return call(accounts, http_event("PATCH /me", player=player, body=body))


def test_fixture_registration_event_is_served_unauthenticated(cloud: LocalAws) -> None:
    event = json.loads((EVENTS / "players_http_request.json").read_text())
    status, body = call(accounts, event)
    assert status == 201 and body["username"] == "ada"


def test_registered_account_is_usable_at_once_with_a_profile(cloud: LocalAws) -> None:
    status, body = _register()
    assert status == 201 and set(body) == {"player_id", "username"}
    tokens = cloud.cognito.initiate_auth(
        ClientId=cloud.refs["UserPoolClient"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada", "PASSWORD": REGISTRATION["password"]},
    )["AuthenticationResult"]
    assert tokens["AccessToken"]
    user = cloud.cognito.admin_get_user(UserPoolId=cloud.refs["UserPool"], Username="ada")
    assert user["UserStatus"] == "CONFIRMED"
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    assert body["player_id"] == sub
    [item] = cloud.items("PlayersTable")
    assert (item["player_id"]["S"], item["sk"]["S"]) == (sub, "profile")
    assert _me(Player(sub, "ada")) == {
        "player_id": sub, "username": "ada", "display_name": "ada", "location": "",
        "real_name": "", "experience": 0, "level": 1, "next_level_at": 100, "wins": 0,
        "wallet": 0}


@pytest.mark.parametrize("password", ["Sh0rt!", "alllowercase1!", "NoDigits!!", "NoSymbol12"])
def test_weak_password_is_refused_before_cognito(cloud: LocalAws, password: str) -> None:
    status, body = _register(password=password)
    assert (status, body["error"]["code"]) == (400, "weak_password")
    assert _users(cloud) == [] and cloud.items("PlayersTable") == []


def test_taken_username_is_a_conflict(cloud: LocalAws) -> None:
    assert _register()[0] == 201
    status, body = _register(email="someone.else@example.com")
    assert (status, body["error"]["code"]) == (409, "username_taken")
    assert _users(cloud) == ["ada"] and len(cloud.items("PlayersTable")) == 1


@pytest.mark.parametrize(
    "changes",
    [{"username": "no"}, {"username": "has space"}, {"email": "nope"}, {"is_admin": True}],
)
def test_bad_registrations_are_refused(cloud: LocalAws, changes: dict[str, Any]) -> None:
    status, body = _register(**changes)
    assert (status, body["error"]["code"]) == (400, "validation_failed")
    assert _users(cloud) == []


def test_me_creates_a_missing_profile_on_first_read(cloud: LocalAws) -> None:
    grace = Player("made-outside-the-api", "grace")
    assert _me(grace)["username"] == "grace"
    assert len(cloud.items("PlayersTable")) == 1
    assert _me(grace)["display_name"] == "grace"
    assert len(cloud.items("PlayersTable")) == 1


def test_patch_me_changes_the_editable_fields(cloud: LocalAws) -> None:
    ada = Player("ada-id", "ada")
    status, body = _patch(ada, {"display_name": "Countess", "location": "London"})
    assert status == 200
    assert (body["display_name"], body["location"], body["real_name"]) == (
        "Countess", "London", "")
    assert _me(ada) == body


@pytest.mark.parametrize(
    "field", ["experience", "xp", "wallet", "level", "wins", "is_admin", "player_id"]
)
def test_patch_me_with_forbidden_fields_changes_nothing(cloud: LocalAws, field: str) -> None:
    ada = Player("ada-id", "ada")
    before = _me(ada)
    status, body = _patch(ada, {"display_name": "Hacker", field: 999999})
    assert (status, body["error"]["code"]) == (400, "validation_failed")
    assert _me(ada) == before


def test_patch_me_needs_a_json_object(cloud: LocalAws) -> None:
    ada = Player("ada-id", "ada")
    assert _patch(ada, "{not json")[1]["error"]["code"] == "malformed_json"
    assert _patch(ada, [])[1]["error"]["code"] == "validation_failed"
