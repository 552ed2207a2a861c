"""The one Cognito token verifier: HTTP authorizer, WebSocket $connect, MQTT credentials.

Rules (DESIGN.md, "Auth"):
- RS256 only; the header's ``alg`` is checked before any key is looked up, so ``none`` and
  HS256-with-the-public-key never reach a signature check.
- Keys come from the JWKS URL in configuration, never from the token's ``iss``: locally moto
  signs every pool's tokens with one key, so only the exact ``iss`` check tells pools apart.
- An unknown ``kid`` refetches the key set at most once per cooldown, so a flood of random
  ``kid`` values costs one fetch, not one per token.
- ``exp`` is required; ``token_use`` must match; the app client id must match (``client_id``
  on access tokens, ``aud`` on id tokens).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from services.core.errors import Unauthorized
from services.core.settings import AuthSettings

Fetch = Callable[[str], dict[str, Any]]
Clock = Callable[[], float]


class InvalidToken(Unauthorized):
    code = "invalid_token"


def fetch_json(url: str, timeout: float = 3.0) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (config URL)
        return json.loads(response.read())


class JwksCache:
    """Public keys by ``kid``, refetched on a miss no more than once per ``cooldown``.

    If a refetch fails, the keys already known keep working (warm cache, JWKS endpoint down).
    """

    def __init__(
        self,
        url: str,
        *,
        fetch: Fetch = fetch_json,
        cooldown_seconds: float = 300.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._last_fetch: float | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0

    def key(self, kid: str) -> Any | None:
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            key = self._keys.get(kid)
            if key is None and self._may_refetch():
                self._refresh()
                key = self._keys.get(kid)
        return key

    def _may_refetch(self) -> bool:
        return self._last_fetch is None or self._clock() - self._last_fetch >= self._cooldown

    def _refresh(self) -> None:
        self._last_fetch = self._clock()
        self.fetch_count += 1
        try:
            document = self._fetch(self._url)
        except Exception:  # endpoint down: keep what we know, try again after the cooldown
            return
        keys: dict[str, Any] = {}
        for jwk in document.get("keys", []):
            if jwk.get("kty") == "RSA" and jwk.get("kid") and jwk.get("alg", "RS256") == "RS256":
                try:
                    keys[jwk["kid"]] = RSAAlgorithm.from_jwk(json.dumps(jwk))
                except (ValueError, KeyError, TypeError):
                    continue
        if keys:
            self._keys = keys


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks: JwksCache,
        clock: Clock = time.time,
        leeway_seconds: float = 0.0,
    ) -> None:
        self._issuer = issuer
        self._client_id = client_id
        self._jwks = jwks
        self._clock = clock
        self._leeway = leeway_seconds

    def verify(self, token: str, *, token_use: str = "access") -> dict[str, Any]:
        """Return the verified claims, or raise ``InvalidToken`` (never anything else)."""
        if not isinstance(token, str) or not token or len(token) > 8192:
            raise InvalidToken("missing or oversized token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        if header.get("alg") != "RS256":
            raise InvalidToken("unsupported token algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise InvalidToken("token has no key id")
        key = self._jwks.key(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                issuer=self._issuer,
                leeway=self._leeway,
                options={
                    "require": ["exp", "iss", "sub", "token_use"],
                    "verify_aud": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError:
            raise InvalidToken("token signature, issuer or expiry is not valid") from None
        # pyjwt checks exp against its own clock; re-check against ours so tests can move time.
        if float(claims["exp"]) + self._leeway <= self._clock():
            raise InvalidToken("token has expired")
        if claims.get("token_use") != token_use:
            raise InvalidToken(f"an {token_use} token is required")
        audience = claims.get("client_id") if token_use == "access" else claims.get("aud")
        if audience != self._client_id:
            raise InvalidToken("token was issued to another app client")
        return claims


def verifier_for(settings: AuthSettings) -> TokenVerifier:
    """The verifier of the configured pool and app client (each composition root caches it)."""
    return TokenVerifier(issuer=settings.issuer, client_id=settings.user_pool_client_id,
                         jwks=JwksCache(settings.jwks))


def bearer_token(authorization: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
