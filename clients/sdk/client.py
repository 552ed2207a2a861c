"""``TriviaClient``: one player's asyncio client for the HTTP API and Cognito.

One ``aiohttp.ClientSession`` per client (or a shared one passed in, e.g. by a demo running
many bots: then the caller owns and closes it). Access tokens are refreshed shortly before
they expire, and once more when the API answers 401 (a token revoked or expired early).
Concurrent calls share one refresh. Method names follow docs/http-api.md, one per route.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp

from clients.sdk.cognito import CognitoAuth
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import ApiError, NotAuthorized, NotLoggedIn, SessionExpired
from clients.sdk.lifecycle import AsyncResource
from clients.sdk.tokens import Tokens
from clients.sdk.transport import (
    DEFAULT_CONNECTION_LIMIT,
    DEFAULT_TIMEOUT,
    HttpTransport,
    new_session,
)

Json = dict[str, Any]
TokensListener = Callable[[Tokens | None], None]

# Refresh this long before expiry, so a request never leaves with a token about to lapse.
REFRESH_MARGIN_SECONDS = 60.0


class TriviaClient(AsyncResource):
    def __init__(
        self,
        endpoints: Endpoints,
        session: aiohttp.ClientSession | None = None,
        *,
        tokens: Tokens | None = None,
        on_tokens: TokensListener | None = None,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.endpoints = endpoints
        self._given_session = session
        self._session: aiohttp.ClientSession | None = session
        self._tokens = tokens
        self._on_tokens = on_tokens
        self._timeout = timeout
        self._connection_limit = connection_limit
        self._clock = clock
        self._refresh_lock = asyncio.Lock()

    # ------------------------------------------------------------------ lifecycle

    async def _enter(self) -> None:
        if self._session is None:
            self._session = new_session(self._timeout, self._connection_limit)

    async def close(self) -> None:
        """Close the session this client made; a session passed in stays open."""
        if self._session is not None and self._given_session is None:
            await self._session.close()
        self._session = self._given_session

    @property
    def tokens(self) -> Tokens | None:
        return self._tokens

    # ------------------------------------------------------------------ accounts

    async def register(self, username: str, email: str, password: str) -> Json:
        body = {"username": username, "email": email, "password": password}
        return await self._public("POST", "/accounts", body)

    async def login(self, username: str, password: str) -> Tokens:
        self._set_tokens(await self._cognito().password_login(username, password))
        return self._require_tokens()

    async def refresh(self) -> Tokens:
        async with self._refresh_lock:
            await self._refresh_now()
        return self._require_tokens()

    async def logout(self) -> None:
        """Sign out everywhere (revokes the refresh token) and forget the tokens."""
        # An expired access token cannot sign out, and the refresh token would outlive it.
        tokens = await self._fresh_tokens()
        try:
            await self._cognito().global_sign_out(tokens.access_token)
        finally:
            self._set_tokens(None)

    async def get_profile(self) -> Json:
        return await self._call("GET", "/me")

    async def update_profile(
        self,
        *,
        display_name: str | None = None,
        location: str | None = None,
        real_name: str | None = None,
    ) -> Json:
        changes = {"display_name": display_name, "location": location, "real_name": real_name}
        body = {field: value for field, value in changes.items() if value is not None}
        return await self._call("PATCH", "/me", body)

    # ------------------------------------------------------------------ quizzes (owner)

    async def create_quiz(self, document: Mapping[str, Any]) -> Json:
        return await self._call("POST", "/quizzes", dict(document))

    async def list_quizzes(self) -> list[Json]:
        answer = await self._call("GET", "/quizzes")
        return list(answer["quizzes"])

    async def get_quiz(self, quiz_id: str) -> Json:
        return await self._call("GET", f"/quizzes/{_segment(quiz_id)}")

    async def replace_quiz(
        self, quiz_id: str, document: Mapping[str, Any], *, if_version: int | None = None
    ) -> Json:
        """Replace the document; with ``if_version``, only if the quiz is still at that version
        (else 409 ``quiz_version_conflict``)."""
        headers = None if if_version is None else {"If-Match": f'"{if_version}"'}
        path = f"/quizzes/{_segment(quiz_id)}"
        return await self._call("PUT", path, dict(document), headers=headers)

    async def delete_quiz(self, quiz_id: str) -> None:
        await self._call("DELETE", f"/quizzes/{_segment(quiz_id)}")

    async def activate_quiz(self, quiz_id: str) -> Json:
        return await self._call("POST", f"/quizzes/{_segment(quiz_id)}/activate")

    async def deactivate_quiz(self, quiz_id: str) -> Json:
        return await self._call("POST", f"/quizzes/{_segment(quiz_id)}/deactivate")

    async def import_quiz(
        self,
        document: Mapping[str, Any],
        *,
        format: str = "trivia",
        name: str | None = None,
        category: str | None = None,
        mode: str | None = None,
        description: str | None = None,
    ) -> Json:
        extra = {"name": name, "category": category, "mode": mode, "description": description}
        body: Json = {"format": format, "document": dict(document)}
        body.update({key: value for key, value in extra.items() if value is not None})
        return await self._call("POST", "/quizzes/import", body)

    async def export_quiz(self, quiz_id: str) -> Json:
        return await self._call("GET", f"/quizzes/{_segment(quiz_id)}/export")

    # ------------------------------------------------------------------ single player

    async def list_single_games(self, category: str | None = None) -> list[Json]:
        params = {"category": category} if category else None
        answer = await self._call("GET", "/games/single", params=params)
        return list(answer["games"])

    async def start_play(self, quiz_id: str) -> Json:
        return await self._call("POST", f"/games/single/{_segment(quiz_id)}/plays", {})

    async def submit_answers(self, play_id: str, answers: Mapping[str, str] | list[Json]) -> Json:
        """Submit ``{question_id: answer}`` (or the API's list form); returns the Result."""
        if isinstance(answers, Mapping):
            answers = [{"question_id": qid, "answer": text} for qid, text in answers.items()]
        body = {"answers": list(answers)}
        return await self._call("POST", f"/plays/{_segment(play_id)}/answers", body)

    async def get_play(self, play_id: str) -> Json:
        return await self._call("GET", f"/plays/{_segment(play_id)}")

    async def get_leaderboard(self, quiz_id: str) -> Json:
        return await self._call("GET", f"/quizzes/{_segment(quiz_id)}/leaderboard")

    # ------------------------------------------------------------------ live games (MQTT)

    async def get_live_credentials(self) -> Json:
        """``POST /live/credentials``: how this player connects to the live-game broker."""
        return await self._call("POST", "/live/credentials", {})

    # ------------------------------------------------------------------ plumbing

    async def _public(self, method: str, path: str, body: Any = None) -> Any:
        return await self._transport().send(method, path, body=body)

    async def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """An authenticated call: refresh ahead of expiry, and once more on a 401."""
        send = functools.partial(
            self._transport().send, method, path, body=body, params=params, extra_headers=headers
        )
        tokens = await self._fresh_tokens()
        try:
            return await send(token=tokens.access_token)
        except ApiError as error:
            if error.status != 401 or tokens.refresh_token is None:
                raise
        tokens = await self._refresh_after_rejection(tokens)
        return await send(token=tokens.access_token)

    async def _fresh_tokens(self) -> Tokens:
        tokens = self._require_tokens()
        if tokens.refresh_token is None or not self._expiring(tokens):
            return tokens
        async with self._refresh_lock:
            # Another call may have refreshed while this one waited for the lock.
            if self._expiring(self._require_tokens()):
                await self._refresh_now()
        return self._require_tokens()

    async def _refresh_after_rejection(self, rejected: Tokens) -> Tokens:
        async with self._refresh_lock:
            if self._tokens is rejected:
                await self._refresh_now()
        return self._require_tokens()

    async def _refresh_now(self) -> None:
        tokens = self._require_tokens()
        if tokens.refresh_token is None:
            raise NotLoggedIn("no refresh token: log in again")
        try:
            fresh = await self._cognito().refresh(tokens.refresh_token)
        except NotAuthorized as error:
            raise SessionExpired(error.message, aws_type=error.aws_type) from None
        self._set_tokens(tokens.with_access(fresh))

    def _expiring(self, tokens: Tokens) -> bool:
        return tokens.expires_within(REFRESH_MARGIN_SECONDS, now=self._clock())

    def _set_tokens(self, tokens: Tokens | None) -> None:
        self._tokens = tokens
        if self._on_tokens is not None:
            self._on_tokens(tokens)

    def _require_tokens(self) -> Tokens:
        if self._tokens is None:
            raise NotLoggedIn("not logged in")
        return self._tokens

    def _require_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("use `async with TriviaClient(...)` before calling it")
        return self._session

    def _transport(self) -> HttpTransport:
        return HttpTransport(self._require_session(), self.endpoints.http_api_url)

    def _cognito(self) -> CognitoAuth:
        return CognitoAuth(
            self._require_session(),
            url=self.endpoints.cognito_url,
            client_id=self.endpoints.user_pool_client_id,
            clock=self._clock,
        )


def _segment(value: str) -> str:
    """Quote an id for a path segment, so no id can reach another route."""
    return quote(value, safe="")
