"""The HTTP API's JWT authorizer, applied by the local gateway with the project's one verifier.

Issuer and audience come from the template's ``HttpApi`` ``JwtConfiguration`` (resolved like any
other value), keys from the configured JWKS URL (moto's), never from the token's ``iss``. As on
AWS the token is taken from ``Authorization: Bearer <token>``; access tokens only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from infra.local.resources import LocalResources
from infra.wiring import Wiring
from services.core.auth import InvalidToken, JwksCache, TokenVerifier, bearer_token


class JwtAuthorizer:
    def __init__(self, *, issuer: str, audiences: Sequence[str], jwks: JwksCache) -> None:
        if not audiences:
            raise ValueError("a JWT authorizer needs at least one audience")
        self.jwks = jwks
        self.issuer = issuer
        self._verifiers = [
            TokenVerifier(issuer=issuer, client_id=audience, jwks=jwks) for audience in audiences
        ]

    def authorize(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims, or ``InvalidToken`` saying why (never the token itself)."""
        token = bearer_token(authorization)
        if token is None:
            raise InvalidToken("missing bearer token in the Authorization header")
        error: InvalidToken | None = None
        for verifier in self._verifiers:
            try:
                return verifier.verify(token, token_use="access")
            except InvalidToken as refused:
                error = refused
        assert error is not None
        raise error


def jwt_configuration(wiring: Wiring) -> Mapping[str, Any]:
    """The JwtConfiguration of the HTTP API's default (else only) authorizer."""
    auth = wiring.http_api().get("Auth") or {}
    authorizers = auth.get("Authorizers") or {}
    name = auth.get("DefaultAuthorizer") or (next(iter(authorizers)) if authorizers else None)
    if name is None or name not in authorizers:
        raise ValueError("the HTTP API declares no JWT authorizer")
    configuration = authorizers[name].get("JwtConfiguration")
    if not configuration:
        raise ValueError(f"authorizer {name} is not a JWT authorizer")
    return configuration


def authorizer_from_template(
    wiring: Wiring, resources: LocalResources, *, jwks_url: str, cooldown_seconds: float = 300.0
) -> JwtAuthorizer:
    configuration = resources.resolve(dict(jwt_configuration(wiring)))
    audiences = configuration.get("audience") or configuration.get("Audience") or []
    issuer = configuration.get("issuer") or configuration.get("Issuer")
    return JwtAuthorizer(
        issuer=str(issuer),
        audiences=[str(audience) for audience in audiences],
        jwks=JwksCache(jwks_url, cooldown_seconds=cooldown_seconds),
    )
