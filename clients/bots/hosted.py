"""Hosted-game bots, Sans-I/O (STYLE.md 11): what the host and player brains share.

A brain is ``feed(event) -> list[action]``: no sockets, sleeps or clocks. A shell (the
WebSocket one in ``shells/ws_hosted.py``, or a load runner) turns ``Send`` into frames,
``SetTimer`` into a timer that later feeds ``TimerFired``, ``Reconnect`` into a new connection
that resumes the game; server messages come back as ``Received``. Randomness comes from the
``random.Random`` a brain is given, so a seed and the same events replay a run exactly.

Every brain drops a message whose ``seq`` is not above the last it saw for its game (the SDK
does too; the brain does not trust its shell). Request ids are ``<prefix><n>``, so an error
reply is tied to the action that caused it.

The player brain is in ``hosted_player.py``, the host brain in ``hosted_host.py``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clients.sdk.ws_messages import ServerMessage
from services.quizzes.normalize import normalize_answer

# Only punctuation: normalises to the empty string, which never matches an answer.
UNMATCHABLE_ANSWER = "???"
RETRY_PAUSE_SECONDS = 0.2
# Codes that say "try again later": the action was not performed.
RETRYABLE_CODES = frozenset({"rate_limited", "service_unavailable", "internal_error"})

# ---------------------------------------------------------------- events (shell -> brain)


@dataclass(frozen=True)
class Begin:
    pass


@dataclass(frozen=True)
class Received:
    message: ServerMessage


@dataclass(frozen=True)
class TimerFired:
    tag: str


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


@dataclass(frozen=True)
class Idle:
    """Nothing happened for as long as the shell is willing to wait."""

    seconds: float


Event = Begin | Received | TimerFired | Disconnected | Reconnected | ReconnectFailed | Idle

# ---------------------------------------------------------------- actions (brain -> shell)


@dataclass(frozen=True)
class Send:
    action: str
    request_id: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetTimer:
    seconds: float
    tag: str


@dataclass(frozen=True)
class Reconnect:
    pass


@dataclass(frozen=True)
class Announce:
    """The host's game is open: players may join with ``join_code``."""

    game_id: str
    join_code: str


@dataclass(frozen=True)
class Done:
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None


Action = Send | SetTimer | Reconnect | Announce | Done


class BotProtocolError(RuntimeError):
    """The shell fed an event the brain cannot be waiting for: a bug in the shell."""


class SeatBrain:
    """One seat in one game: sequence numbers, request ids, connection state, the end.

    Subclasses implement ``_begin``, ``_on_message`` and ``_on_timer``.
    """

    prefix = "r"

    def __init__(self) -> None:
        self.game_id: str | None = None
        self.last_seq = 0
        self.connected = True
        self.reconnects = 0
        self.done: Done | None = None
        self.errors: list[tuple[str, str]] = []  # (code, what) the game went on despite
        self._numbers = itertools.count(1)
        self._requests: dict[str, Send] = {}

    def feed(self, event: Event) -> list[Action]:
        if self.done is not None:
            return []
        if isinstance(event, Begin):
            return self._begin()
        if isinstance(event, Received):
            return self._receive(event.message)
        if isinstance(event, TimerFired):
            return self._on_timer(event.tag)
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
        if isinstance(event, Idle):
            return self._finish("stalled", f"no message for {event.seconds:g} s")
        raise BotProtocolError(f"unknown event {event!r}")

    # ------------------------------------------------------------------ for subclasses

    def _begin(self) -> list[Action]:
        raise NotImplementedError

    def _on_message(self, message: ServerMessage) -> list[Action]:
        raise NotImplementedError

    def _on_timer(self, tag: str) -> list[Action]:
        raise NotImplementedError

    def _send(self, action: str, **fields: Any) -> Send:
        send = Send(action, f"{self.prefix}{next(self._numbers)}", fields)
        self._requests[send.request_id] = send
        return send

    def _request_of(self, message: ServerMessage) -> Send | None:
        return self._requests.get(message.request_id or "")

    def _finish(self, code: str | None = None, message: str | None = None) -> list[Action]:
        self.done = Done(code, message)
        return [self.done]

    # ------------------------------------------------------------------ plumbing

    def _receive(self, message: ServerMessage) -> list[Action]:
        if message.game_id is not None:
            if self.game_id is not None and message.game_id != self.game_id:
                return []  # another game's message: not ours to act on
            if message.seq is not None:
                if message.seq <= self.last_seq:
                    return []  # stale: a duplicate, or overtaken by a newer message
                self.last_seq = message.seq
        return self._on_message(message)


# ---------------------------------------------------------------- answers


@dataclass(frozen=True)
class AskedQuestion:
    """A question as the server pushes it (no answer)."""

    question_id: str
    index: int
    type: str
    text: str
    options: tuple[str, ...] = ()
    round: int | None = None

    @classmethod
    def from_message(cls, data: Mapping[str, Any]) -> AskedQuestion:
        round_ = data.get("round")
        return cls(
            question_id=str(data["question_id"]),
            index=int(data.get("index", 0)),
            type=str(data.get("type", "open")),
            text=str(data.get("text", "")),
            options=tuple(str(option) for option in data.get("options") or ()),
            round=round_ if isinstance(round_, int) else None,
        )


@dataclass(frozen=True)
class Choice:
    answer: str
    meant_right: bool | None  # None: a blind guess (the bot did not know the answer)


def choose_answer(
    question: AskedQuestion, known: str | None, accuracy: float, rng: random.Random
) -> Choice:
    """Right with probability ``accuracy`` when the answer is known; really wrong otherwise
    (another option, or a text the server's matching can never accept)."""
    if known is None:
        guess = rng.choice(question.options) if question.options else UNMATCHABLE_ANSWER
        return Choice(guess, None)
    right = normalize_answer(known)
    if rng.random() < accuracy:
        shown = [option for option in question.options if normalize_answer(option) == right]
        return Choice(shown[0] if shown else known, True)
    others = [option for option in question.options if normalize_answer(option) != right]
    return Choice(rng.choice(others) if others else UNMATCHABLE_ANSWER, False)


def score_of(scores: Any, player_id: str | None) -> int | None:
    """A player's score in a ``scores`` list, or None when they are not on it."""
    for line in scores or ():
        if isinstance(line, Mapping) and line.get("player_id") == player_id:
            return int(line.get("score", 0))
    return None
