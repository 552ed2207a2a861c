"""What the hosted (WebSocket) and live (MQTT) game brains share, Sans-I/O (STYLE.md 11).

A brain is ``feed(event) -> list[action]``: no sockets, sleeps or clocks. The events and actions
every mode has are here (``Begin``, ``Received``, ``TimerFired``, ``Idle``; ``SetTimer``,
``Done``), with ``GameSeat``: one seat in one game, which drops messages of other games and
stale ones (``seq`` not above the last seen: the SDK does too; the brain does not trust its
shell), numbers its requests ``<prefix><n>`` so an error reply is tied to the request that
caused it, and ends with ``Done``. ``hosted.py`` and ``live.py`` add their modes' own.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

RETRY_PAUSE_SECONDS = 0.2


class GameMessage(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def game_id(self) -> str | None: ...

    @property
    def seq(self) -> int | None: ...

    @property
    def request_id(self) -> str | None: ...


class Request(Protocol):
    @property
    def action(self) -> str: ...

    @property
    def request_id(self) -> str: ...

    @property
    def fields(self) -> Mapping[str, Any]: ...


M = TypeVar("M", bound=GameMessage)
S = TypeVar("S", bound=Request)

# ---------------------------------------------------------------- events (shell -> brain)


@dataclass(frozen=True)
class Begin:
    pass


@dataclass(frozen=True)
class Received(Generic[M]):
    message: M


@dataclass(frozen=True)
class TimerFired:
    tag: str


@dataclass(frozen=True)
class Idle:
    """Nothing happened for as long as the shell is willing to wait."""

    seconds: float


# ---------------------------------------------------------------- actions (brain -> shell)


@dataclass(frozen=True)
class SetTimer:
    seconds: float
    tag: str


@dataclass(frozen=True)
class Done:
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None


class BotProtocolError(RuntimeError):
    """The shell fed an event the brain cannot be waiting for: a bug in the shell."""


class GameSeat(Generic[M, S], ABC):
    """One seat in one game: sequence numbers, request ids, the end.

    Subclasses implement ``_begin``, ``_on_message``, ``_on_timer``, ``_new_send`` and
    ``_sequenced``, and ``_on_event`` for their mode's other events.
    """

    prefix = "r"

    def __init__(self) -> None:
        self.game_id: str | None = None
        self.last_seq = 0
        self.done: Done | None = None
        self.errors: list[tuple[str, str]] = []  # (code, what) the game went on despite
        self._numbers = itertools.count(1)
        self._requests: dict[str, S] = {}

    def feed(self, event: object) -> list[Any]:
        if self.done is not None:
            return []
        if isinstance(event, Begin):
            return self._begin()
        if isinstance(event, Received):
            return self._receive(event.message)
        if isinstance(event, TimerFired):
            return self._on_timer(event.tag)
        if isinstance(event, Idle):
            return self._finish("stalled", f"no message for {event.seconds:g} s")
        return self._on_event(event)

    # ------------------------------------------------------------------ for subclasses

    @abstractmethod
    def _begin(self) -> list[Any]:
        ...

    @abstractmethod
    def _on_message(self, message: M) -> list[Any]:
        ...

    @abstractmethod
    def _on_timer(self, tag: str) -> list[Any]:
        ...

    def _on_event(self, event: object) -> list[Any]:
        raise BotProtocolError(f"unknown event {event!r}")

    @abstractmethod
    def _new_send(self, action: str, request_id: str, fields: Mapping[str, Any]) -> S:
        ...

    @abstractmethod
    def _sequenced(self, message: M) -> bool:
        """Whether the message's ``seq`` counts (is compared with the last one seen)."""
        ...

    def _send(self, action: str, **fields: Any) -> S:
        send = self._new_send(action, f"{self.prefix}{next(self._numbers)}", fields)
        self._requests[send.request_id] = send
        return send

    def _request_of(self, message: M) -> S | None:
        return self._requests.get(message.request_id or "")

    def _finish(self, code: str | None = None, message: str | None = None) -> list[Any]:
        self.done = Done(code, message)
        return [self.done]

    # ------------------------------------------------------------------ plumbing

    def _receive(self, message: M) -> list[Any]:
        if message.game_id is not None and self.game_id is not None:
            if message.game_id != self.game_id:
                return []  # another game's message: not ours to act on
        if message.seq is not None and self._sequenced(message):
            if message.seq <= self.last_seq:
                return []  # stale: a duplicate, or overtaken by a newer message
            self.last_seq = message.seq
        return self._on_message(message)
