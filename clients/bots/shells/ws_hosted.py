"""Drives a hosted-game brain (host or player) over the WebSocket SDK.

One reader task per seat turns received messages into ``Received`` events and a dropped
connection into ``Disconnected``; ``SetTimer`` becomes ``loop.call_later`` feeding
``TimerFired``; ``Reconnect`` becomes ``GameSocket.reconnect`` (new connection, fresh token,
``resume``), then ``Reconnected`` or ``ReconnectFailed``. The loop, timers and ``Idle`` are
``driver.py``'s. The caller owns the socket.

Broadcast latency (``BroadcastLatency``): from the host sending ``next_question`` to each
player's reader receiving the ``question`` message, on one monotonic clock, so every bot must
run in the same process. Samples are matched after the fact by (game, question id), since a
player may receive the question before the host's own copy says which question it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from clients.bots.hosted import (
    Announce,
    Disconnected,
    Event,
    Reconnect,
    Reconnected,
    ReconnectFailed,
    SeatBrain,
    Send,
)
from clients.bots.seat import Done, Received
from clients.bots.shells.driver import IDLE_TIMEOUT_SECONDS, BrainDriver, matched_ms
from clients.sdk.errors import TriviaError
from clients.sdk.ws import GameSocket
from clients.sdk.ws_errors import ConnectionLost, ProtocolViolation
from clients.sdk.ws_messages import ServerMessage

logger = logging.getLogger(__name__)

Key = tuple[str, str]  # (game, question)


@dataclass
class BroadcastLatency:
    clock: Callable[[], float] = time.perf_counter
    _pending_ask: dict[str, float] = field(default_factory=dict)  # game -> unbound ask
    _asked: dict[Key, float] = field(default_factory=dict)
    _received: list[tuple[Key, float]] = field(default_factory=list)

    def asking(self, game_id: str) -> None:
        """The host is about to send ``next_question``."""
        self._pending_ask[game_id] = self.clock()

    def host_saw(self, game_id: str, question_id: str) -> None:
        """The host's own copy of the ``question`` says which question the ask opened."""
        asked = self._pending_ask.pop(game_id, None)
        if asked is not None:
            self._asked.setdefault((game_id, question_id), asked)

    def player_got(self, game_id: str, question_id: str) -> None:
        self._received.append(((game_id, question_id), self.clock()))

    def samples_ms(self) -> list[float]:
        return matched_ms(self._asked, self._received)


@dataclass
class Seat:
    """How one seat's shell reports: the host announces its join code; questions are timed."""

    is_host: bool = False
    latency: BroadcastLatency | None = None
    on_announce: Callable[[Announce], None] | None = None

    def seen(self, message: ServerMessage) -> None:
        if self.latency is None or message.type != "question" or message.game_id is None:
            return
        question_id = str(message["question"]["question_id"])
        if self.is_host:
            self.latency.host_saw(message.game_id, question_id)
        else:
            self.latency.player_got(message.game_id, question_id)


async def drive(
    brain: SeatBrain,
    socket: GameSocket,
    first: Event,
    seat: Seat | None = None,
    *,
    idle_timeout: float = IDLE_TIMEOUT_SECONDS,
) -> Done:
    """Run ``brain`` from ``first`` until it is done; the socket must be connected."""
    return await _Driver(brain, socket, seat or Seat(), idle_timeout).run(first)


class _Driver(BrainDriver):
    announce_type = Announce
    seat: Seat

    def __init__(self, brain: SeatBrain, socket: GameSocket, seat: Seat, idle: float) -> None:
        super().__init__(brain, seat, idle)
        self.socket = socket

    def _start(self) -> None:
        self.reader = asyncio.create_task(self._read())

    async def _perform_io(self, action: object) -> None:
        if isinstance(action, Send):
            await self._send(action)
        elif isinstance(action, Reconnect):
            await self._reconnect()

    async def _send(self, action: Send) -> None:
        game_id = action.fields.get("game_id")
        if action.action == "next_question" and self.seat.latency and isinstance(game_id, str):
            self.seat.latency.asking(game_id)
        try:
            await self.socket.send(action.action, request_id=action.request_id, **action.fields)
        except ConnectionLost:
            pass  # the reader reports the drop; the brain re-sends after resuming

    async def _reconnect(self) -> None:
        try:
            await self.socket.reconnect()
        except TriviaError as error:
            self.inbox.put_nowait(ReconnectFailed(error.code, error.message))
            return
        self.inbox.put_nowait(Reconnected())
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            try:
                message = await self.socket.receive()
            except ConnectionLost as lost:
                self.inbox.put_nowait(Disconnected(lost.code))
                return
            except ProtocolViolation as violation:
                logger.warning("ignored a frame: %s", violation)
                continue
            self.seat.seen(message)
            self.inbox.put_nowait(Received(message))
