"""The hosted game's ports: what the use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from services.core.events import GameCredits, PlayerResult
from services.quizzes.model import Quiz


@dataclass(frozen=True)
class ConnectionRecord:
    connection_id: str
    player_id: str
    username: str
    token_expires_at: int  # epoch seconds, from the token verified at $connect
    connected_at: int


class Connections(Protocol):
    def add(self, record: ConnectionRecord) -> None: ...
    def get(self, connection_id: str) -> ConnectionRecord | None: ...
    def remove(self, connection_id: str) -> None: ...


class Pusher(Protocol):
    """One push to one connection; ``PlayerDisconnected`` when it is gone (410)."""

    def push(self, connection_id: str, data: bytes) -> None: ...
    def close(self, connection_id: str) -> None: ...


PushOutcome = Literal["sent", "gone", "failed"]


@runtime_checkable
class Fanout(Protocol):
    """A message to each of many connections (the same bytes or each its own); an outcome per
    connection, in order. Never raises for one connection: a closed one is ``gone``, any other
    failure ``failed``."""

    def deliver(self, pushes: Sequence[tuple[str, bytes]]) -> list[PushOutcome]: ...


@dataclass(frozen=True)
class BroadcastReport:
    sent: tuple[str, ...]
    gone: tuple[str, ...]
    failed: tuple[str, ...]


class Notifier(Protocol):
    def send(self, connection_ids: Sequence[str], message: dict[str, Any]) -> BroadcastReport:
        """One message to every connection."""
        ...

    def send_each(self, messages: Mapping[str, dict[str, Any]]) -> BroadcastReport:
        """Each connection its own message (connection id -> message)."""
        ...

    def close(self, connection_id: str) -> None: ...


class GameDirectory(Protocol):
    """Durable game records (games table): join codes and the listing."""

    def register(self, *, game_id: str, join_code: str, host_id: str, quiz_id: str,
                 quiz_name: str, mode: str) -> None: ...
    def game_for_code(self, join_code: str) -> str | None: ...
    def unlist(self, game_id: str, join_code: str) -> None: ...


class QuizSource(Protocol):
    def get(self, quiz_id: str) -> Quiz | None: ...


class ResultPublisher(Protocol):
    def publish_game(self, results: Sequence[PlayerResult], credits: GameCredits) -> None:
        """The players' results and the game's owner and host credits, each to its topics."""
        ...


class CompletionMarkers(Protocol):
    def first_completions(self, *, quiz_id: str, game_id: str, player_ids: Sequence[str],
                          completed_at: str) -> dict[str, bool]:
        """Per player: True when this game is their first completed play of the quiz."""
        ...
