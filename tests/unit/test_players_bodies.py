"""Account bodies: registration rules and the profile fields a player may change."""

from __future__ import annotations

from typing import Any

import pytest

from services.core.errors import ValidationFailed, WeakPassword
from services.core.http import validate
from services.players.bodies import ProfilePatchBody, RegisterBody
from services.players.credentials import check_password_strength, password_problems

pytestmark = pytest.mark.unit

GOOD = {"username": "ada.l_1-x", "email": "ada@example.com", "password": "Correct-Horse-1"}


def test_registration_body_is_accepted() -> None:
    body = validate(RegisterBody, GOOD)
    assert (body.username, body.email) == ("ada.l_1-x", "ada@example.com")


@pytest.mark.parametrize(
    "username", ["ab", "x" * 33, "has space", "émile", "semi;colon", "", "a/b"]
)
def test_bad_usernames_are_refused(username: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate(RegisterBody, {**GOOD, "username": username})
    assert refused.value.details["problems"][0]["field"] == "username"


@pytest.mark.parametrize("username", ["abc", "x" * 32, "A.B-C_9"])
def test_usernames_of_3_to_32_allowed_characters_are_accepted(username: str) -> None:
    assert validate(RegisterBody, {**GOOD, "username": username}).username == username


@pytest.mark.parametrize("email", ["ada", "ada@", "@example.com", "ada@example", "a b@c.de",
                                   "x" * 250 + "@e.io"])
def test_bad_emails_are_refused(email: str) -> None:
    with pytest.raises(ValidationFailed):
        validate(RegisterBody, {**GOOD, "email": email})


@pytest.mark.parametrize("extra", [{"is_admin": True}, {"player_id": "x"}, {"wallet": 100}])
def test_registration_refuses_unknown_fields(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        validate(RegisterBody, {**GOOD, **extra})


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Sh0rt!", "at least 8 characters"),
        ("lowercase-only-1", "an upper-case letter"),
        ("UPPERCASE-ONLY-1", "a lower-case letter"),
        ("No-Digits-Here", "a digit"),
        ("NoSymbols123", "a symbol"),
        ("", "a digit"),
    ],
)
def test_weak_passwords_say_what_they_lack(password: str, missing: str) -> None:
    assert missing in password_problems(password)
    with pytest.raises(WeakPassword) as refused:
        check_password_strength(password)
    assert refused.value.code == "weak_password" and refused.value.status == 400


@pytest.mark.parametrize("password", ["Correct-Horse-1", "aB3$aB3$", "Pass word 1!"])
def test_strong_passwords_pass(password: str) -> None:
    assert password_problems(password) == []
    check_password_strength(password)


def test_profile_patch_accepts_the_editable_fields_trimmed() -> None:
    body = validate(ProfilePatchBody, {"display_name": " Ada ", "location": "", "real_name": "A"})
    assert (body.display_name, body.location, body.real_name) == ("Ada", "", "A")


@pytest.mark.parametrize(
    "field",
    ["experience", "xp", "wallet", "level", "wins", "is_admin", "player_id", "username",
     "created_at", "next_level_at"],
)
def test_profile_patch_refuses_every_other_field(field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate(ProfilePatchBody, {"display_name": "Ada", field: 99999})
    assert refused.value.details["problems"][0]["field"] == field


@pytest.mark.parametrize(
    "patch",
    [{"display_name": ""}, {"display_name": "   "}, {"display_name": "x" * 41},
     {"location": "x" * 81}, {"real_name": "x" * 81}, {"display_name": None},
     {"location": 5}],
)
def test_profile_patch_refuses_bad_values(patch: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        validate(ProfilePatchBody, patch)
