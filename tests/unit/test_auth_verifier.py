"""The token verifier against QUALITY.md's "Tokens" cases, with keys made in the test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from jwt.algorithms import RSAAlgorithm

from services.core.auth import InvalidToken, JwksCache, TokenVerifier, bearer_token

pytestmark = pytest.mark.unit

REGION = "us-east-1"
POOL = "us-east-1_Pool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT = "client-one"
KID = "key-1"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _rsa_key()
FOREIGN_KEY = _rsa_key()


def _jwks(*keys: tuple[str, rsa.RSAPrivateKey]) -> dict[str, Any]:
    documents = []
    for kid, key in keys:
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        documents.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": documents}


class CountingFetch:
    def __init__(self, document: dict[str, Any] | None = None, *, fail: bool = False) -> None:
        self.document = document or _jwks((KID, SIGNING_KEY))
        self.fail = fail
        self.calls = 0

    def __call__(self, url: str) -> dict[str, Any]:
        self.calls += 1
        if self.fail:
            raise OSError("JWKS endpoint down")
        return self.document


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "player-1",
        "client_id": CLIENT,
        "token_use": "access",
        "username": "ada",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims: dict[str, Any], key: rsa.RSAPrivateKey = SIGNING_KEY, kid: str = KID) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _verifier(
    fetch: CountingFetch | None = None, **kwargs: Any
) -> tuple[TokenVerifier, CountingFetch]:
    fetch = fetch or CountingFetch()
    cache = JwksCache(
        "http://jwks.invalid/keys",
        fetch=fetch,
        cooldown_seconds=300,
        clock=kwargs.pop("monotonic", time.monotonic),
    )
    return TokenVerifier(issuer=ISSUER, client_id=CLIENT, jwks=cache, **kwargs), fetch


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_access_token_yields_its_claims() -> None:
    verifier, _ = _verifier()
    claims = verifier.verify(_token(_claims()))
    assert claims["sub"] == "player-1"
    assert claims["username"] == "ada"


def test_alg_none_is_refused() -> None:
    verifier, fetch = _verifier()
    unsigned = f"{_b64({'alg': 'none', 'kid': KID})}.{_b64(_claims())}."
    with pytest.raises(InvalidToken):
        verifier.verify(unsigned)
    assert fetch.calls == 0, "the key set is not even consulted for a non-RS256 header"


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    verifier, _ = _verifier()
    public_pem = SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "kid": KID, "typ": "JWT"})
    payload = _b64(_claims())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken):
        verifier.verify(forged)


def test_a_foreign_key_with_a_real_kid_is_refused() -> None:
    verifier, _ = _verifier()
    with pytest.raises(InvalidToken):
        verifier.verify(_token(_claims(), key=FOREIGN_KEY, kid=KID))


def test_a_thousand_random_kids_fetch_the_key_set_once_per_cooldown() -> None:
    verifier, fetch = _verifier()
    verifier.verify(_token(_claims()))  # warm: one fetch
    for index in range(1000):
        with pytest.raises(InvalidToken):
            verifier.verify(_token(_claims(), kid=f"random-{index}"))
    assert fetch.calls == 1


def test_an_unknown_kid_refetches_after_the_cooldown() -> None:
    now = [1000.0]
    verifier, fetch = _verifier(monotonic=lambda: now[0])
    verifier.verify(_token(_claims()))
    with pytest.raises(InvalidToken):
        verifier.verify(_token(_claims(), kid="rotated"))
    fetch.document = _jwks((KID, SIGNING_KEY), ("rotated", FOREIGN_KEY))
    with pytest.raises(InvalidToken):
        verifier.verify(_token(_claims(), key=FOREIGN_KEY, kid="rotated"))
    assert fetch.calls == 1
    now[0] += 301
    assert verifier.verify(_token(_claims(), key=FOREIGN_KEY, kid="rotated"))["sub"] == "player-1"
    assert fetch.calls == 2


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"exp": int(time.time()) - 1}, id="expired"),
        pytest.param({"exp": None}, id="no-exp"),
        pytest.param(
            {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"},
            id="another-pool",
        ),
        pytest.param({"client_id": "another-client"}, id="another-app-client"),
        pytest.param({"token_use": "id", "client_id": None, "aud": CLIENT}, id="id-token"),
        pytest.param({"token_use": None}, id="no-token-use"),
        pytest.param({"sub": None}, id="no-sub"),
    ],
)
def test_tokens_that_must_be_refused(overrides: dict[str, Any]) -> None:
    verifier, _ = _verifier()
    with pytest.raises(InvalidToken):
        verifier.verify(_token(_claims(**overrides)))


def test_an_access_token_is_refused_where_an_id_token_is_required() -> None:
    verifier, _ = _verifier()
    with pytest.raises(InvalidToken):
        verifier.verify(_token(_claims()), token_use="id")
    id_token = _token(_claims(token_use="id", client_id=None, aud=CLIENT))
    assert verifier.verify(id_token, token_use="id")["aud"] == CLIENT


def test_the_clock_decides_expiry() -> None:
    verifier, _ = _verifier(clock=lambda: time.time() + 7200)
    with pytest.raises(InvalidToken):
        verifier.verify(_token(_claims()))


def test_known_keys_keep_working_when_the_jwks_endpoint_is_down() -> None:
    now = [0.0]
    fetch = CountingFetch()
    verifier, _ = _verifier(fetch, monotonic=lambda: now[0])
    verifier.verify(_token(_claims()))
    fetch.fail = True
    now[0] += 1000
    with pytest.raises(InvalidToken):
        verifier.verify(_token(_claims(), kid="unknown"))
    assert verifier.verify(_token(_claims()))["sub"] == "player-1"
    assert fetch.calls == 2


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
        st.lists(
            st.text(
                alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
                max_size=60,
            ),
            min_size=3,
            max_size=3,
        ).map(".".join),
    )
)
def test_garbage_tokens_are_always_invalid_token(garbage: str) -> None:
    verifier, _ = _verifier()
    with pytest.raises(InvalidToken):
        verifier.verify(garbage)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token
