from __future__ import annotations

import base64
import json

import pytest

from clients.sdk.tokens import Tokens, unverified_claims

pytestmark = pytest.mark.unit


def _jwt(claims: dict[str, object]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{payload}.signature"


def test_from_auth_result_computes_expiry_from_now() -> None:
    result = {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r", "ExpiresIn": 3600}
    tokens = Tokens.from_auth_result(result, now=1000.0)
    assert tokens.expires_at == 4600.0
    assert tokens.refresh_token == "r"


def test_refresh_result_keeps_the_refresh_token_it_was_given() -> None:
    result = {"AccessToken": "a2", "IdToken": "i2", "ExpiresIn": 60}
    tokens = Tokens.from_auth_result(result, now=0.0, refresh_token="old-refresh")
    assert tokens.refresh_token == "old-refresh"
    assert tokens.access_token == "a2"


def test_expires_within_margin() -> None:
    tokens = Tokens("a", "i", "r", expires_at=100.0)
    assert tokens.expires_within(60, now=50.0)
    assert not tokens.expires_within(60, now=30.0)


def test_repr_never_shows_token_values() -> None:
    tokens = Tokens("secret-access", "secret-id", "secret-refresh", expires_at=1.0)
    assert "secret" not in repr(tokens)


def test_dict_round_trip() -> None:
    tokens = Tokens("a", "i", None, expires_at=12.5)
    assert Tokens.from_dict(tokens.to_dict()) == tokens


def test_claims_are_read_from_the_access_token() -> None:
    tokens = Tokens(_jwt({"sub": "p-1", "username": "ann"}), "i", "r", expires_at=1.0)
    assert tokens.claims() == {"sub": "p-1", "username": "ann"}


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.%%%.c", "a.bnVsbA.c"])
def test_unreadable_tokens_have_no_claims(token: str) -> None:
    assert unverified_claims(token) == {}
