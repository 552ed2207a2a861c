"""``GameSocket``: one player's (or host's) connection to the hosted-game WebSocket API.

Built on ``websockets`` (asyncio). The access token comes from a logged-in ``TriviaClient`` and
travels in the query string (``?token=``), as API Gateway's ``$connect`` authorizer expects.

- ``send`` sends an action (with a ``request_id``, generated unless given);
- ``receive`` returns the next fresh message: one whose ``seq`` is not above the last seen for
  its game is stale and dropped (docs/websocket.md); ``error`` frames are returned as messages
  (``message.error()`` gives the ``WsError``), so a message loop sees them in order;
- ``request`` sends and waits for the reply carrying the same ``request_id``, raising
  ``WsError`` with the server's code; other messages read meanwhile are kept for ``receive``;
- ``reconnect`` opens a new connection with a fresh token and sends ``resume`` with the last
  ``seq`` for every game this socket heard from and that has not ended.

One reader at a time: ``receive`` and ``request`` must not run concurrently. A dropped
connection raises ``ConnectionLost`` from ``send``, ``receive`` and ``request``. The token is
never logged.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections import deque
from typing import Any
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from clients.sdk.client import REFRESH_MARGIN_SECONDS, TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import TransportError
from clients.sdk.lifecycle import AsyncResource
from clients.sdk.tokens import Tokens
from clients.sdk.ws_errors import ConnectionLost, HandshakeRefused
from clients.sdk.ws_messages import SeqTracker, ServerMessage

logger = logging.getLogger(__name__)

OPEN_TIMEOUT_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 15.0
RECONNECT_ATTEMPTS = 5
FIRST_RECONNECT_PAUSE_SECONDS = 0.1
# Server messages are at most 128 KB (the gateway's message limit).
MAX_MESSAGE_BYTES = 128 * 1024
_request_numbers = itertools.count(1)


def websocket_url(endpoints: Endpoints) -> str:
    """The WebSocket API's URL from the endpoints file (``trivia up`` writes it)."""
    url = getattr(endpoints, "websocket_url", None)
    if not isinstance(url, str) or not url:
        raise TransportError(
            "the endpoints file has no websocket_url: restart `trivia up`", code="no_websocket"
        )
    return url


class GameSocket(AsyncResource):
    def __init__(
        self,
        client: TriviaClient,
        *,
        url: str | None = None,
        open_timeout: float = OPEN_TIMEOUT_SECONDS,
        ping_interval: float | None = 20.0,
    ) -> None:
        self._client = client
        self._url = url or websocket_url(client.endpoints)
        self._open_timeout = open_timeout
        self._ping_interval = ping_interval
        self._connection: ClientConnection | None = None
        self._seqs = SeqTracker()
        self._ended: set[str] = set()
        self._backlog: deque[ServerMessage] = deque()

    # ------------------------------------------------------------------ lifecycle

    async def _enter(self) -> None:
        await self.connect()

    async def connect(self) -> None:
        token = (await self._fresh_tokens()).access_token
        self._connection = await self._open(token)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def drop(self) -> None:
        """Cut the TCP connection without a closing handshake, as a network failure would."""
        if self._connection is not None:
            self._connection.transport.abort()
            await self._connection.wait_closed()

    async def reconnect(self, *, attempts: int = RECONNECT_ATTEMPTS) -> list[str]:
        """A new connection (fresh token), then ``resume`` for every game still running.

        Returns the ``request_id`` of each ``resume`` sent; the ``resumed`` replies arrive
        through ``receive``. Gives up with the last error after ``attempts`` tries.
        """
        await self.close()
        pause = FIRST_RECONNECT_PAUSE_SECONDS
        for attempt in range(1, attempts + 1):
            try:
                await self.connect()
                break
            except HandshakeRefused as refused:
                if refused.status != 401 or attempt == attempts:
                    raise
                await self._client.refresh()  # revoked or expired early: one more with a new one
            except TransportError:
                if attempt == attempts:
                    raise
            await asyncio.sleep(pause)
            pause *= 2
        return [await self.resume(game_id) for game_id in self.running_games()]

    # ------------------------------------------------------------------ messages

    @property
    def connected(self) -> bool:
        return self._connection is not None and self._connection.close_code is None

    def last_seq(self, game_id: str) -> int:
        return self._seqs.last(game_id)

    def running_games(self) -> list[str]:
        return [game for game in self._seqs.games() if game not in self._ended]

    async def send(self, action: str, *, request_id: str | None = None, **fields: Any) -> str:
        """Send one action; returns its ``request_id``."""
        request_id = request_id or f"r{next(_request_numbers)}"
        frame = {"action": action, "request_id": request_id, **fields}
        try:
            await self._require_connection().send(json.dumps(frame, separators=(",", ":")))
        except ConnectionClosed as closed:
            raise _lost(closed) from None
        return request_id

    async def resume(self, game_id: str) -> str:
        return await self.send("resume", game_id=game_id, last_seq=self._seqs.last(game_id))

    async def receive(self) -> ServerMessage:
        """The next fresh message (stale ones are dropped)."""
        if self._backlog:
            return self._backlog.popleft()
        return await self._read_fresh()

    async def request(
        self, action: str, *, timeout: float = REQUEST_TIMEOUT_SECONDS, **fields: Any
    ) -> ServerMessage:
        """Send an action and return its reply; an ``error`` reply is raised as ``WsError``."""
        request_id = await self.send(action, **fields)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    message = await self._read_fresh()
                    if message.request_id != request_id:
                        self._backlog.append(message)
                        continue
                    if message.is_error:
                        raise message.error()
                    return message
        except TimeoutError:
            raise TransportError(f"no reply to {action} in {timeout:g} s", code="timeout") from None

    # ------------------------------------------------------------------ plumbing

    async def _read_fresh(self) -> ServerMessage:
        connection = self._require_connection()
        while True:
            try:
                raw = await connection.recv()
            except ConnectionClosed as closed:
                raise _lost(closed) from None
            message = ServerMessage.parse(raw)
            if not self._seqs.accept(message):
                logger.debug("stale %s seq %s dropped", message.type, message.seq)
                continue
            if message.type == "game_ended" and message.game_id is not None:
                self._ended.add(message.game_id)
            return message

    async def _open(self, token: str) -> ClientConnection:
        separator = "&" if "?" in self._url else "?"
        uri = f"{self._url}{separator}token={quote(token, safe='')}"
        try:
            return await connect(
                uri,
                open_timeout=self._open_timeout,
                ping_interval=self._ping_interval,
                compression=None,  # small JSON frames: deflate costs more CPU than it saves
                proxy=None,
                max_size=MAX_MESSAGE_BYTES,
            )
        except InvalidStatus as refused:
            status = refused.response.status_code
            message = f"the WebSocket API refused to connect ({status})"
            raise HandshakeRefused(status, message) from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            # Never the URI in the message: it carries the token.
            raise ConnectionLost(f"could not connect: {type(exc).__name__}") from None

    async def _fresh_tokens(self) -> Tokens:
        tokens = self._client.tokens
        if tokens is None:
            return await self._client.refresh()  # raises NotLoggedIn
        if tokens.refresh_token is not None and tokens.expires_within(
            REFRESH_MARGIN_SECONDS, now=time.time()
        ):
            return await self._client.refresh()
        return tokens

    def _require_connection(self) -> ClientConnection:
        if self._connection is None:
            raise ConnectionLost("not connected")
        return self._connection


def _lost(closed: ConnectionClosed) -> ConnectionLost:
    code = closed.rcvd.code if closed.rcvd is not None else None
    return ConnectionLost(f"the connection closed ({code or 'no close frame'})", close_code=code)
