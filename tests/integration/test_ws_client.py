"""``GameSocket`` against a tiny loopback ``websockets`` server that plays the API's part:
the token in the query string, stale and duplicate seq numbers, error frames, a dropped
connection and ``resume``, a refused handshake."""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.asyncio.server import Request, Response, ServerConnection, serve

from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.tokens import Tokens
from clients.sdk.ws import GameSocket
from clients.sdk.ws_errors import ConnectionLost, HandshakeRefused, WsError

pytestmark = pytest.mark.integration

Script = Callable[[ServerConnection, "Loopback"], Awaitable[None]]


def run_async(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """A plain test that runs the coroutine in a fresh event loop, with a time limit."""

    @functools.wraps(test)
    def run() -> None:
        asyncio.run(asyncio.wait_for(test(), timeout=20))

    return run


@dataclass
class Loopback:
    """What the server saw: tokens per connection, frames received."""

    script: Script
    valid_tokens: set[str] = field(default_factory=lambda: {"token-1"})
    tokens: list[str] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)

    async def expect(self, connection: ServerConnection) -> dict[str, Any]:
        frame = json.loads(await connection.recv())
        self.frames.append(frame)
        return frame


def message(kind: str, seq: int | None, **fields: Any) -> str:
    body: dict[str, Any] = {"type": kind, "game_id": "g1", **fields}
    if seq is not None:
        body["seq"] = seq
    return json.dumps(body)


@asynccontextmanager
async def loopback(script: Script) -> AsyncIterator[tuple[Loopback, str]]:
    state = Loopback(script)

    def authorize(connection: ServerConnection, request: Request) -> Response | None:
        token = parse_qs(urlsplit(request.path).query).get("token", [""])[0]
        state.tokens.append(token)
        if token not in state.valid_tokens:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
        return None

    async def handler(connection: ServerConnection) -> None:
        await state.script(connection, state)

    async with serve(handler, "127.0.0.1", 0, process_request=authorize) as server:
        port = server.sockets[0].getsockname()[1]
        yield state, f"ws://127.0.0.1:{port}/"


class RefreshingClient(TriviaClient):
    """A logged-in client whose refresh hands out the next token, without Cognito."""

    def __init__(self, url: str, token: str = "token-1") -> None:
        endpoints = Endpoints(http_api_url="http://127.0.0.1:9", region="us-east-1",
                              user_pool_id="pool", user_pool_client_id="app",
                              websocket_url=url)
        super().__init__(endpoints, tokens=Tokens(token, "", "refresh", time.time() + 3600))
        self.refreshes = 0

    async def refresh(self) -> Tokens:
        self.refreshes += 1
        self._set_tokens(Tokens(f"token-{self.refreshes + 1}", "", "refresh",
                                time.time() + 3600))
        assert self.tokens is not None
        return self.tokens


@run_async
async def test_fresh_messages_only_and_errors_with_the_servers_code() -> None:
    async def script(connection: ServerConnection, state: Loopback) -> None:
        await state.expect(connection)
        for frame in (message("player_joined", 1, players=1), message("player_joined", 1),
                      message("game_started", 3, players=[]), message("player_left", 2),
                      message("question", 4)):
            await connection.send(frame)
        error = {"code": "not_host", "message": "only the host", "retryable": False}
        await connection.send(message("error", 5, error=error, request_id="mine"))
        await connection.send(json.dumps({"type": "error", "error": {
            "code": "validation_failed", "message": "bad"}}))  # no game: never stale
        await connection.wait_closed()

    async with loopback(script) as (state, url), GameSocket(RefreshingClient(url)) as socket:
        request_id = await socket.send("start_game", game_id="g1")
        received = [await socket.receive() for _ in range(5)]
    assert state.tokens == ["token-1"]
    assert state.frames == [{"action": "start_game", "request_id": request_id, "game_id": "g1"}]
    assert [(m.type, m.seq) for m in received] == [
        ("player_joined", 1), ("game_started", 3), ("question", 4), ("error", 5), ("error", None)]
    error = received[3].error()
    assert isinstance(error, WsError)
    assert (error.code, error.request_id, error.game_id) == ("not_host", "mine", "g1")
    assert socket.last_seq("g1") == 5


@run_async
async def test_request_returns_its_reply_raises_refusals_and_keeps_the_rest() -> None:
    async def script(connection: ServerConnection, state: Loopback) -> None:
        opened = await state.expect(connection)
        await connection.send(message("player_joined", 1, players=1))
        await connection.send(message("game_opened", 2, request_id=opened["request_id"],
                                      join_code="ABC123"))
        refused = await state.expect(connection)
        await connection.send(message("error", 3, request_id=refused["request_id"], error={
            "code": "invalid_state", "message": "already started"}))
        await connection.wait_closed()

    async with loopback(script) as (_, url), GameSocket(RefreshingClient(url)) as socket:
        reply = await socket.request("open_game", quiz_id="quiz-1")
        with pytest.raises(WsError) as refused:
            await socket.request("start_game", game_id="g1")
        kept = await socket.receive()
    assert (reply.type, reply["join_code"]) == ("game_opened", "ABC123")
    assert refused.value.code == "invalid_state"
    assert (kept.type, kept.seq) == ("player_joined", 1)


@run_async
async def test_a_dropped_connection_reconnects_with_a_fresh_token_and_resumes() -> None:
    async def script(connection: ServerConnection, state: Loopback) -> None:
        if len(state.tokens) == 1:
            await connection.send(message("question", 7))
            await connection.send(message("game_ended", 1, game_id="g0"))  # another game
            await asyncio.sleep(0.05)
            connection.transport.abort()  # a network failure: no close frame
            return
        resume = await state.expect(connection)
        await connection.send(message("question", 7))  # replayed: stale
        await connection.send(message("resumed", 12, request_id=resume["request_id"],
                                      role="player", state={"status": "question_open",
                                                            "your_score": 1900, "scores": []}))
        await connection.wait_closed()

    client = RefreshingClient("")
    async with loopback(script) as (state, url):
        socket = GameSocket(client, url=url)
        await socket.connect()
        assert (await socket.receive()).seq == 7
        assert (await socket.receive()).type == "game_ended"
        with pytest.raises(ConnectionLost) as lost:
            await socket.receive()
        state.valid_tokens = {"token-2"}  # the old token is refused now
        sent = await socket.reconnect()
        resumed = await socket.receive()
        await socket.close()
    assert lost.value.code == "connection_lost" and lost.value.retryable
    assert state.tokens == ["token-1", "token-1", "token-2"]
    assert client.refreshes == 1
    assert state.frames == [
        {"action": "resume", "request_id": sent[0], "game_id": "g1", "last_seq": 7}]
    assert (resumed.type, resumed.seq, resumed["state"]["your_score"]) == ("resumed", 12, 1900)


@run_async
async def test_a_refused_handshake_is_an_error_with_the_status_code() -> None:
    async def script(connection: ServerConnection, state: Loopback) -> None:
        raise AssertionError("the handler must not run")

    async with loopback(script) as (state, url):
        socket = GameSocket(RefreshingClient(url, token="forged"))
        with pytest.raises(HandshakeRefused) as refused:
            await socket.connect()
    assert (refused.value.status, refused.value.code) == (401, "unauthorized")
    assert "forged" not in str(refused.value)
    assert state.tokens == ["forged"]


@run_async
async def test_a_server_closing_with_1009_says_the_message_was_too_big() -> None:
    async def script(connection: ServerConnection, state: Loopback) -> None:
        await connection.recv()
        await connection.close(1009, "message too big")

    async with loopback(script) as (_, url), GameSocket(RefreshingClient(url)) as socket:
        await socket.send("answer", game_id="g1", question_id="q1", answer="x" * 100)
        with pytest.raises(ConnectionLost) as lost:
            await socket.receive()
    assert (lost.value.close_code, lost.value.code) == (1009, "message_too_big")
