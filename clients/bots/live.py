"""Live-scoreboard bots, Sans-I/O (STYLE.md 11): what the host and player brains share.

A brain is ``feed(event) -> list[action]``: no sockets, sleeps or clocks. A shell (the MQTT one
in ``shells/mqtt_live.py``, or a load runner) turns ``Watch`` into a subscription to the game's
broadcast topic (then feeds ``Watching``), ``Send`` into a QoS 1 publish on the player's own
command or action topic, ``SetTimer`` into a timer that later feeds ``TimerFired``; messages
from the service come back as ``Received``, a failed publish as ``SendFailed``, a connection
that came back (subscriptions restored) as ``Reconnected``. Randomness comes from the
``random.Random`` a brain is given, so a seed and the same events replay a run exactly.

Every brain drops a broadcast whose ``seq`` is not above the last it saw for its game (the SDK
does too; the brain does not trust its shell) and messages of other games. Request ids are
``<prefix><n>``, so an inbox reply or error is tied to the command or action that caused it.

The host brain is in ``live_host.py``, the player brain in ``live_player.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from clients.sdk.mqtt_messages import LiveMessage

RETRY_PAUSE_SECONDS = 0.2
# Codes that say "try again later": the command or action was not performed.
RETRYABLE_CODES = frozenset({"service_unavailable", "internal_error"})

# ---------------------------------------------------------------- events (shell -> brain)


@dataclass(frozen=True)
class Begin:
    pass


@dataclass(frozen=True)
class Watching:
    """The shell subscribed to the game's broadcast topic."""

    game_id: str


@dataclass(frozen=True)
class WatchFailed:
    game_id: str
    code: str
    message: str = ""


@dataclass(frozen=True)
class Received:
    message: LiveMessage


@dataclass(frozen=True)
class SendFailed:
    """A publish was refused or never acknowledged by the broker."""

    request_id: str
    code: str
    message: str = ""


@dataclass(frozen=True)
class TimerFired:
    tag: str


@dataclass(frozen=True)
class Reconnected:
    """The connection dropped and came back; its subscriptions are in place again."""


@dataclass(frozen=True)
class Idle:
    """Nothing happened for as long as the shell is willing to wait."""

    seconds: float


Event = Begin | Watching | WatchFailed | Received | SendFailed | TimerFired | Reconnected | Idle

# ---------------------------------------------------------------- actions (brain -> shell)

Topic = Literal["command", "action"]  # the host's commands topic, the player's actions topic


@dataclass(frozen=True)
class Watch:
    game_id: str


@dataclass(frozen=True)
class Send:
    topic: Topic
    action: str
    request_id: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetTimer:
    seconds: float
    tag: str


@dataclass(frozen=True)
class Announce:
    """The host's game is open and watched: players may join ``game_id``."""

    game_id: str


@dataclass(frozen=True)
class Done:
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None


Action = Watch | Send | SetTimer | Announce | Done


class BotProtocolError(RuntimeError):
    """The shell fed an event the brain cannot be waiting for: a bug in the shell."""


class LiveSeat:
    """One seat in one live game: sequence numbers, request ids, the end.

    Subclasses implement ``_begin``, ``_on_watching``, ``_on_message`` and ``_on_timer``, and
    may override ``_on_send_failed`` and ``_on_reconnected``.
    """

    prefix = "r"
    topic: Topic = "action"

    def __init__(self) -> None:
        self.game_id: str | None = None
        self.last_seq = 0
        self.done: Done | None = None
        self.errors: list[tuple[str, str]] = []  # (code, what) the game went on despite
        self._numbers = itertools.count(1)
        self._requests: dict[str, Send] = {}

    def feed(self, event: Event) -> list[Action]:
        if self.done is not None:
            return []
        if isinstance(event, Begin):
            return self._begin()
        if isinstance(event, Watching):
            return self._on_watching(event.game_id)
        if isinstance(event, WatchFailed):
            return self._finish(f"watch:{event.code}", event.message)
        if isinstance(event, Received):
            return self._receive(event.message)
        if isinstance(event, TimerFired):
            return self._on_timer(event.tag)
        if isinstance(event, SendFailed):
            return self._on_send_failed(event)
        if isinstance(event, Reconnected):
            return self._on_reconnected()
        if isinstance(event, Idle):
            return self._finish("stalled", f"no message for {event.seconds:g} s")
        raise BotProtocolError(f"unknown event {event!r}")

    # ------------------------------------------------------------------ for subclasses

    def _begin(self) -> list[Action]:
        raise NotImplementedError

    def _on_watching(self, game_id: str) -> list[Action]:
        raise NotImplementedError

    def _on_message(self, message: LiveMessage) -> list[Action]:
        raise NotImplementedError

    def _on_timer(self, tag: str) -> list[Action]:
        raise NotImplementedError

    def _on_send_failed(self, failed: SendFailed) -> list[Action]:
        request = self._requests.get(failed.request_id)
        what = request.action if request is not None else "send"
        return self._finish(f"{what}:{failed.code}", failed.message)

    def _on_reconnected(self) -> list[Action]:
        return []

    def _send(self, action: str, **fields: Any) -> Send:
        send = Send(self.topic, action, f"{self.prefix}{next(self._numbers)}", fields)
        self._requests[send.request_id] = send
        return send

    def _request_of(self, message: LiveMessage) -> Send | None:
        return self._requests.get(message.request_id or "")

    def _finish(self, code: str | None = None, message: str | None = None) -> list[Action]:
        self.done = Done(code, message)
        return [self.done]

    # ------------------------------------------------------------------ plumbing

    def _receive(self, message: LiveMessage) -> list[Action]:
        if message.game_id is not None and self.game_id is not None:
            if message.game_id != self.game_id:
                return []  # another game's message: not ours to act on
        if message.is_broadcast and message.seq is not None:
            if message.seq <= self.last_seq:
                return []  # stale: a duplicate, or overtaken by a newer broadcast
            self.last_seq = message.seq
        return self._on_message(message)


def player_of(value: Any) -> str | None:
    """The ``player_id`` of a ``{player_id, display_name}`` object, or None (no winner)."""
    if isinstance(value, Mapping) and isinstance(value.get("player_id"), str):
        return str(value["player_id"])
    return None
