"""Hosted-game bots, Sans-I/O (STYLE.md 11): what the host and player brains share.

A brain is ``feed(event) -> list[action]``: no sockets, sleeps or clocks. A shell (the
WebSocket one in ``shells/ws_hosted.py``, or a load runner) turns ``Send`` into frames,
``SetTimer`` into a timer that later feeds ``TimerFired``, ``Reconnect`` into a new connection
that resumes the game; server messages come back as ``Received``. Randomness comes from the
``random.Random`` a brain is given, so a seed and the same events replay a run exactly.

What every game brain shares (stale messages dropped, request ids, the end) is in ``seat.py``.

The player brain is in ``hosted_player.py``, the host brain in ``hosted_host.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clients.bots.seat import (
    Begin,
    Done,
    GameSeat,
    Idle,
    Received,
    SetTimer,
    TimerFired,
)
from clients.sdk.ws_messages import ServerMessage

# Codes that say "try again later": the action was not performed.
RETRYABLE_CODES = frozenset({"rate_limited", "service_unavailable", "internal_error"})

# ---------------------------------------------------------------- events (shell -> brain)


@dataclass(frozen=True)
class Disconnected:
    code: str = "connection_lost"


@dataclass(frozen=True)
class Reconnected:
    pass


@dataclass(frozen=True)
class ReconnectFailed:
    code: str
    message: str = ""


Event = (
    Begin
    | Received[ServerMessage]
    | TimerFired
    | Disconnected
    | Reconnected
    | ReconnectFailed
    | Idle
)

# ---------------------------------------------------------------- actions (brain -> shell)


@dataclass(frozen=True)
class Send:
    action: str
    request_id: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reconnect:
    pass


@dataclass(frozen=True)
class Announce:
    """The host's game is open: players may join with ``join_code``."""

    game_id: str
    join_code: str


Action = Send | SetTimer | Reconnect | Announce | Done


class SeatBrain(GameSeat[ServerMessage, Send]):
    """One seat in one hosted game: ``GameSeat`` and the connection's state.

    Subclasses implement ``_begin``, ``_on_message`` and ``_on_timer``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.connected = True
        self.reconnects = 0

    def _on_event(self, event: object) -> list[Action]:
        if isinstance(event, Disconnected):
            if not self.connected:
                return []  # the send that failed and the reader both noticed
            self.connected = False
            return [Reconnect()]
        if isinstance(event, Reconnected):
            self.connected = True
            self.reconnects += 1
            return []
        if isinstance(event, ReconnectFailed):
            return self._finish(f"reconnect:{event.code}", event.message)
        return super()._on_event(event)

    def _new_send(self, action: str, request_id: str, fields: Mapping[str, Any]) -> Send:
        return Send(action, request_id, fields)

    def _sequenced(self, message: ServerMessage) -> bool:
        return message.game_id is not None  # a game's messages carry its seq
