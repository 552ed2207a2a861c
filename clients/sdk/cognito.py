"""Cognito's JSON API without boto3: log in, refresh, sign out.

These three calls are unauthenticated in Cognito (no SigV4), so a plain JSON POST with the
``X-Amz-Target`` header is the whole protocol. Cognito's error names (``__type``) become SDK
``AuthError`` subclasses here and nowhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import aiohttp

from clients.sdk.errors import (
    AuthError,
    AuthRateLimited,
    ChallengeRequired,
    NotAuthorized,
    TransportError,
    UserNotConfirmed,
    UserNotFound,
)
from clients.sdk.tokens import Tokens

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"

_ERRORS: dict[str, type[AuthError]] = {
    "NotAuthorizedException": NotAuthorized,
    "UserNotFoundException": UserNotFound,
    "UserNotConfirmedException": UserNotConfirmed,
    "TooManyRequestsException": AuthRateLimited,
    "LimitExceededException": AuthRateLimited,
    "TooManyFailedAttemptsException": AuthRateLimited,
}


class CognitoAuth:
    """One user pool app client, reached through an existing ``aiohttp`` session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        url: str,
        client_id: str,
        clock: Callable[[], float],
    ) -> None:
        self._session = session
        self._url = url
        self._client_id = client_id
        self._clock = clock

    async def password_login(self, username: str, password: str) -> Tokens:
        params = {"USERNAME": username, "PASSWORD": password}
        return await self._initiate_auth("USER_PASSWORD_AUTH", params, refresh_token=None)

    async def refresh(self, refresh_token: str) -> Tokens:
        params = {"REFRESH_TOKEN": refresh_token}
        return await self._initiate_auth("REFRESH_TOKEN_AUTH", params, refresh_token=refresh_token)

    async def global_sign_out(self, access_token: str) -> None:
        await self._call("GlobalSignOut", {"AccessToken": access_token})

    async def _initiate_auth(
        self, flow: str, params: dict[str, str], *, refresh_token: str | None
    ) -> Tokens:
        body = {"AuthFlow": flow, "ClientId": self._client_id, "AuthParameters": params}
        answer = await self._call("InitiateAuth", body)
        result = answer.get("AuthenticationResult")
        if not isinstance(result, dict) or "AccessToken" not in result:
            challenge = answer.get("ChallengeName", "unknown")
            raise ChallengeRequired(f"Cognito asks for the {challenge} challenge")
        return Tokens.from_auth_result(result, now=self._clock(), refresh_token=refresh_token)

    async def _call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"X-Amz-Target": TARGET_PREFIX + action, "Content-Type": CONTENT_TYPE}
        try:
            async with self._session.post(
                self._url, data=json.dumps(body), headers=headers
            ) as response:
                raw = await response.read()
                status = response.status
                error_header = response.headers.get("x-amzn-ErrorType", "")
        except TimeoutError:
            raise TransportError(f"Cognito {action} timed out", code="timeout") from None
        except aiohttp.ClientError as exc:
            raise TransportError(f"Cognito {action} failed: {exc}") from None
        parsed = _json_object(raw)
        if status >= 400:
            raise auth_error_from(parsed, error_header, status)
        return parsed


def auth_error_from(body: dict[str, Any], error_header: str, status: int) -> AuthError:
    """Map Cognito's error body (or ``x-amzn-ErrorType`` header) to an SDK error."""
    aws_type = _error_name(str(body.get("__type") or error_header))
    message = str(body.get("message") or body.get("Message") or aws_type or f"HTTP {status}")
    error_class = _ERRORS.get(aws_type)
    if error_class is not None:
        return error_class(message, aws_type=aws_type)
    return AuthError(message, aws_type=aws_type, code=_snake_code(aws_type) or "auth_failed")


def _error_name(raw: str) -> str:
    # "com.amazonaws...#NotAuthorizedException" or "NotAuthorizedException:http://..."
    return raw.rsplit("#", 1)[-1].split(":", 1)[0].strip()


def _snake_code(aws_type: str) -> str:
    name = aws_type.removesuffix("Exception")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}
