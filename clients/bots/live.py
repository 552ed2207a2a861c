"""Live-scoreboard bots, Sans-I/O (STYLE.md 11): what the host and player brains share.

A brain is ``feed(event) -> list[action]``: no sockets, sleeps or clocks. A shell (the MQTT one
in ``shells/mqtt_live.py``, or a load runner) turns ``Watch`` into a subscription to the game's
broadcast topic (then feeds ``Watching``), ``Send`` into a QoS 1 publish on the player's own
command or action topic, ``SetTimer`` into a timer that later feeds ``TimerFired``; messages
from the service come back as ``Received``, a failed publish as ``SendFailed``, a connection
that came back (subscriptions restored) as ``Reconnected``. Randomness comes from the
``random.Random`` a brain is given, so a seed and the same events replay a run exactly.

What every game brain shares (stale broadcasts and other games' messages dropped, request ids,
the end) is in ``seat.py``; only broadcasts carry a ``seq``.

The host brain is in ``live_host.py``, the player brain in ``live_player.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from clients.bots.seat import (
    Begin,
    Done,
    GameSeat,
    Idle,
    Received,
    SetTimer,
    TimerFired,
)
from clients.sdk.mqtt_messages import LiveMessage

# Codes that say "try again later": the command or action was not performed.
RETRYABLE_CODES = frozenset({"service_unavailable", "internal_error"})

# ---------------------------------------------------------------- events (shell -> brain)


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
class SendFailed:
    """A publish was refused or never acknowledged by the broker."""

    request_id: str
    code: str
    message: str = ""


@dataclass(frozen=True)
class Reconnected:
    """The connection dropped and came back; its subscriptions are in place again."""


Event = (
    Begin
    | Watching
    | WatchFailed
    | Received[LiveMessage]
    | SendFailed
    | TimerFired
    | Reconnected
    | Idle
)

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
class Announce:
    """The host's game is open and watched: players may join ``game_id``."""

    game_id: str


Action = Watch | Send | SetTimer | Announce | Done


class LiveSeat(GameSeat[LiveMessage, Send], ABC):
    """One seat in one live game: ``GameSeat`` and the broadcast topic's subscription.

    Subclasses implement ``_begin``, ``_on_watching``, ``_on_message`` and ``_on_timer``, and
    may override ``_on_send_failed`` and ``_on_reconnected``.
    """

    topic: Topic = "action"

    def _on_event(self, event: object) -> list[Action]:
        if isinstance(event, Watching):
            return self._on_watching(event.game_id)
        if isinstance(event, WatchFailed):
            return self._finish(f"watch:{event.code}", event.message)
        if isinstance(event, SendFailed):
            return self._on_send_failed(event)
        if isinstance(event, Reconnected):
            return self._on_reconnected()
        return super()._on_event(event)

    # ------------------------------------------------------------------ for subclasses

    @abstractmethod
    def _on_watching(self, game_id: str) -> list[Action]:
        ...

    def _on_send_failed(self, failed: SendFailed) -> list[Action]:
        request = self._requests.get(failed.request_id)
        what = request.action if request is not None else "send"
        return self._finish(f"{what}:{failed.code}", failed.message)

    def _on_reconnected(self) -> list[Action]:
        return []

    def _new_send(self, action: str, request_id: str, fields: Mapping[str, Any]) -> Send:
        return Send(self.topic, action, request_id, fields)

    def _sequenced(self, message: LiveMessage) -> bool:
        return message.is_broadcast  # inbox messages carry no seq


def player_of(value: Any) -> str | None:
    """The ``player_id`` of a ``{player_id, display_name}`` object, or None (no winner)."""
    if isinstance(value, Mapping) and isinstance(value.get("player_id"), str):
        return str(value["player_id"])
    return None
