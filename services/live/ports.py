"""The live game's ports: what the use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from services.core.events import GameCredits, PlayerResult
from services.quizzes.model import Quiz


@runtime_checkable
class MessageSink(Protocol):
    """One MQTT message (QoS 1) to one topic: iot-data ``publish`` on AWS; locally the same
    publish straight onto the broker connection (decision 0008). ``ServiceUnavailable`` when
    the broker is unreachable or refuses it."""

    def publish(self, topic: str, message: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class GameRecord:
    """The durable game (DynamoDB): enough to list it, rebuild it and finish it.

    Scores are derived from ``winners`` (question id -> player id), which the winning answer
    writes before it is acknowledged: a Redis crash can never lose a point.
    """

    game_id: str
    host_id: str
    quiz_id: str
    quiz_name: str
    status: str
    plan_json: str
    players: dict[str, str] = field(default_factory=dict)
    winners: dict[str, str] = field(default_factory=dict)
    question_index: int = -1
    question: dict[str, str] = field(default_factory=dict)  # qid, deadline_ms, limit_s, answer
    seq: int = 0
    results_published: bool = False

    def scores(self) -> dict[str, int]:
        counts = dict.fromkeys(self.players, 0)
        for player_id in self.winners.values():
            counts[player_id] = counts.get(player_id, 0) + 1
        return counts


class GameRecords(Protocol):
    def create(self, record: GameRecord) -> bool: ...
    def get(self, game_id: str) -> GameRecord | None: ...
    def add_player(self, game_id: str, player_id: str, display_name: str, seq: int) -> None: ...
    def started(self, game_id: str, seq: int) -> None: ...
    def asked(self, game_id: str, index: int, question: dict[str, str], seq: int) -> None: ...

    def won(self, game_id: str, question_id: str, player_id: str, seq: int) -> None:
        """Record the question's winner once; the same winner again changes nothing."""
        ...

    def ended(self, game_id: str, index: int, scores: dict[str, int], seq: int) -> None:
        """Persist the final scoreboard and question index; unlist the game."""
        ...

    def results_sent(self, game_id: str) -> None: ...


class QuizSource(Protocol):
    def get(self, quiz_id: str) -> Quiz | None: ...


class Profiles(Protocol):
    def display_name(self, player_id: str) -> str | None: ...


class ResultPublisher(Protocol):
    def publish_game(self, results: Sequence[PlayerResult], credits: GameCredits) -> None:
        """The players' results and the game's owner and host credits, each to its topics."""
        ...


class CompletionMarkers(Protocol):
    def first_completion(self, *, quiz_id: str, player_id: str, game_id: str,
                         completed_at: str) -> bool: ...


@dataclass(frozen=True)
class MqttCredentials:
    """What ``POST /live/credentials`` returns (docs/mqtt.md, "Policy")."""

    body: dict[str, Any]


class CredentialIssuer(Protocol):
    def issue(self, player_id: str) -> MqttCredentials: ...
