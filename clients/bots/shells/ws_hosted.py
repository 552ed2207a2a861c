"""Drives a hosted-game brain (host or player) over the WebSocket SDK.

One reader task per seat turns received messages into ``Received`` events and a dropped
connection into ``Disconnected``; ``SetTimer`` becomes ``loop.call_later`` feeding
``TimerFired``; ``Reconnect`` becomes ``GameSocket.reconnect`` (new connection, fresh token,
``resume``), then ``Reconnected`` or ``ReconnectFailed``. Nothing for ``idle_timeout`` seconds
feeds ``Idle``, so a game that stalls ends instead of hanging. The caller owns the socket.

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
    Done,
    Event,
    Idle,
    Received,
    Reconnect,
    Reconnected,
    ReconnectFailed,
    SeatBrain,
    Send,
    SetTimer,
    TimerFired,
)
from clients.sdk.errors import TriviaError
from clients.sdk.ws import GameSocket
from clients.sdk.ws_errors import ConnectionLost, ProtocolViolation
from clients.sdk.ws_messages import ServerMessage

logger = logging.getLogger(__name__)

IDLE_TIMEOUT_SECONDS = 60.0


@dataclass
class BroadcastLatency:
    clock: Callable[[], float] = time.perf_counter
    _pending_ask: dict[str, float] = field(default_factory=dict)  # game -> unbound ask
    _asked: dict[tuple[str, str], float] = field(default_factory=dict)  # (game, question)
    _received: list[tuple[str, str, float]] = field(default_factory=list)

    def asking(self, game_id: str) -> None:
        """The host is about to send ``next_question``."""
        self._pending_ask[game_id] = self.clock()

    def host_saw(self, game_id: str, question_id: str) -> None:
        """The host's own copy of the ``question`` says which question the ask opened."""
        asked = self._pending_ask.pop(game_id, None)
        if asked is not None:
            self._asked.setdefault((game_id, question_id), asked)

    def player_got(self, game_id: str, question_id: str) -> None:
        self._received.append((game_id, question_id, self.clock()))

    def samples_ms(self) -> list[float]:
        samples = []
        for game_id, question_id, received in self._received:
            asked = self._asked.get((game_id, question_id))
            if asked is not None:
                samples.append((received - asked) * 1000)
        return samples


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


class _Driver:
    def __init__(self, brain: SeatBrain, socket: GameSocket, seat: Seat, idle: float) -> None:
        self.brain = brain
        self.socket = socket
        self.seat = seat
        self.idle = idle
        self.inbox: asyncio.Queue[Event] = asyncio.Queue()
        self.timers: list[asyncio.TimerHandle] = []
        self.reader: asyncio.Task[None] | None = None

    async def run(self, first: Event) -> Done:
        self.reader = asyncio.create_task(self._read())
        try:
            event: Event = first
            while True:
                for action in self.brain.feed(event):
                    if isinstance(action, Done):
                        return action
                    await self._perform(action)
                event = await self._next_event()
        finally:
            self.reader.cancel()
            for timer in self.timers:
                timer.cancel()

    async def _perform(self, action: object) -> None:
        if isinstance(action, Send):
            await self._send(action)
        elif isinstance(action, SetTimer):
            loop = asyncio.get_running_loop()
            fired = TimerFired(action.tag)
            self.timers.append(loop.call_later(action.seconds, self.inbox.put_nowait, fired))
        elif isinstance(action, Reconnect):
            await self._reconnect()
        elif isinstance(action, Announce) and self.seat.on_announce is not None:
            self.seat.on_announce(action)

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

    async def _next_event(self) -> Event:
        try:
            async with asyncio.timeout(self.idle):
                return await self.inbox.get()
        except TimeoutError:
            return Idle(self.idle)

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
