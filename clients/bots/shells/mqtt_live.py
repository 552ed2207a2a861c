"""Drives a live-game brain (host or player) over the MQTT SDK (``LiveConnection``).

One reader task per seat turns received messages into ``Received`` events; the connection's
``on_reconnect`` feeds ``Reconnected``. ``Watch`` subscribes to the game's broadcast topic, then
feeds ``Watching`` (or ``WatchFailed``); ``Send`` publishes at QoS 1 on the seat's command or
action topic and a refused or unacknowledged publish feeds ``SendFailed``; ``SetTimer`` becomes
``loop.call_later`` feeding ``TimerFired`` (the loop, timers and ``Idle`` are ``driver.py``'s).
The caller owns the connection.

Scoreboard latency (``ScoreboardLatency``): from the publish of the answer that won a question
to each player receiving that question's ``winner`` broadcast, on one monotonic clock
(``time.perf_counter``), so every bot must run in the same process. Every answer's publish time
is kept, since nobody knows which one wins until the broadcast names the winner; a receipt is
stamped when the MQTT client hands the message over (``LiveMessage.received_at``), before it
waits its turn on the event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from clients.bots.live import (
    Announce,
    Event,
    LiveSeat,
    Reconnected,
    Send,
    SendFailed,
    Watch,
    WatchFailed,
    Watching,
    player_of,
)
from clients.bots.seat import Done, Received
from clients.bots.shells.driver import IDLE_TIMEOUT_SECONDS, BrainDriver, matched_ms
from clients.sdk.errors import TriviaError
from clients.sdk.mqtt import LiveConnection
from clients.sdk.mqtt_messages import LiveMessage

Key = tuple[str, str, str]  # (game, question, player)


@dataclass
class ScoreboardLatency:
    clock: Callable[[], float] = time.perf_counter
    _answered: dict[Key, float] = field(default_factory=dict)
    _received: list[tuple[Key, float]] = field(default_factory=list)

    def answering(self, game_id: str, question_id: str, player_id: str) -> None:
        """A player is about to publish an answer (a resend keeps the first time)."""
        key = (game_id, question_id, player_id)
        if key not in self._answered:
            self._answered[key] = self.clock()

    def player_got(self, message: LiveMessage) -> None:
        """A player received a ``winner`` broadcast."""
        winner = player_of(message.get("winner"))
        if message.game_id is None or winner is None:
            return
        key = (message.game_id, str(message.get("question_id")), winner)
        self._received.append((key, message.received_at or self.clock()))

    def samples_ms(self) -> list[float]:
        return matched_ms(self._answered, self._received)


@dataclass
class Seat:
    """How one seat's shell reports: the host announces its game; players time the winner."""

    player_id: str = ""
    is_host: bool = False
    latency: ScoreboardLatency | None = None
    on_announce: Callable[[Announce], None] | None = None

    def answering(self, send: Send) -> None:
        if self.latency is None or send.action != "answer":
            return
        fields = send.fields
        self.latency.answering(str(fields["game_id"]), str(fields["question_id"]), self.player_id)

    def seen(self, message: LiveMessage) -> None:
        if self.latency is not None and not self.is_host and message.type == "winner":
            self.latency.player_got(message)


async def drive(
    brain: LiveSeat,
    connection: LiveConnection,
    first: Event,
    seat: Seat | None = None,
    *,
    idle_timeout: float = IDLE_TIMEOUT_SECONDS,
) -> Done:
    """Run ``brain`` from ``first`` until it is done; the connection must be connected."""
    return await _Driver(brain, connection, seat or Seat(), idle_timeout).run(first)


class _Driver(BrainDriver):
    announce_type = Announce
    seat: Seat

    def __init__(
        self, brain: LiveSeat, connection: LiveConnection, seat: Seat, idle: float
    ) -> None:
        super().__init__(brain, seat, idle)
        self.connection = connection

    def _start(self) -> None:
        self.connection.on_reconnect = lambda: self.inbox.put_nowait(Reconnected())
        self.reader = asyncio.create_task(self._read())

    def _stop(self) -> None:
        self.connection.on_reconnect = None

    async def _perform_io(self, action: object) -> None:
        if isinstance(action, Send):
            await self._send(action)
        elif isinstance(action, Watch):
            await self._watch(action.game_id)

    async def _send(self, action: Send) -> None:
        self.seat.answering(action)
        publish = (
            self.connection.send_command
            if action.topic == "command"
            else self.connection.send_action
        )
        try:
            await publish(action.action, request_id=action.request_id, **action.fields)
        except TriviaError as error:
            self.inbox.put_nowait(SendFailed(action.request_id, error.code, error.message))

    async def _watch(self, game_id: str) -> None:
        try:
            await self.connection.watch_game(game_id)
        except TriviaError as error:
            self.inbox.put_nowait(WatchFailed(game_id, error.code, error.message))
            return
        self.inbox.put_nowait(Watching(game_id))

    async def _read(self) -> None:
        async for message in self.connection:
            self.seat.seen(message)
            self.inbox.put_nowait(Received(message))
