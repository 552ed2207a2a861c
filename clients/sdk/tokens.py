"""Cognito tokens as the SDK keeps them: access, id, refresh, and when the access token expires.

Token values never appear in ``repr`` or logs: a traceback or a debug line must not leak a
credential.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    id_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float  # seconds since the epoch, from Cognito's ExpiresIn

    @classmethod
    def from_auth_result(
        cls, result: dict[str, Any], *, now: float, refresh_token: str | None = None
    ) -> Tokens:
        """Build from Cognito's ``AuthenticationResult``.

        A refresh (REFRESH_TOKEN_AUTH) answers without a new refresh token, so the caller
        passes the one it already holds.
        """
        return cls(
            access_token=str(result["AccessToken"]),
            id_token=str(result.get("IdToken", "")),
            refresh_token=result.get("RefreshToken") or refresh_token,
            expires_at=now + float(result.get("ExpiresIn", 3600)),
        )

    def expires_within(self, seconds: float, *, now: float) -> bool:
        return self.expires_at - now <= seconds

    def with_access(self, other: Tokens) -> Tokens:
        """Fresh access and id tokens from ``other``, keeping a refresh token if it has none."""
        return replace(other, refresh_token=other.refresh_token or self.refresh_token)

    def claims(self) -> dict[str, Any]:
        """The access token's claims, NOT verified: for display only (who am I, player id)."""
        return unverified_claims(self.access_token)

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "id_token": self.id_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tokens:
        return cls(
            access_token=str(data["access_token"]),
            id_token=str(data.get("id_token", "")),
            refresh_token=data.get("refresh_token"),
            expires_at=float(data["expires_at"]),
        )


def unverified_claims(token: str) -> dict[str, Any]:
    """Decode a JWT's payload without checking it; an unreadable token gives ``{}``."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}
