"""Python SDK for the trivia HTTP API and its Cognito user pool (asyncio, aiohttp)."""

from __future__ import annotations

from clients.sdk.client import TriviaClient
from clients.sdk.credentials import CredentialStore, Session, default_credentials_path
from clients.sdk.endpoints import DEFAULT_ENDPOINTS_FILE, Endpoints
from clients.sdk.errors import (
    ApiError,
    AuthError,
    NotAuthorized,
    NotLoggedIn,
    SessionExpired,
    TransportError,
    TriviaError,
    UserNotFound,
)
from clients.sdk.tokens import Tokens

__all__ = [
    "DEFAULT_ENDPOINTS_FILE",
    "ApiError",
    "AuthError",
    "CredentialStore",
    "Endpoints",
    "NotAuthorized",
    "NotLoggedIn",
    "Session",
    "SessionExpired",
    "Tokens",
    "TransportError",
    "TriviaClient",
    "TriviaError",
    "UserNotFound",
    "default_credentials_path",
]
