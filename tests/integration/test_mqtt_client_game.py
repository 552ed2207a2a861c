"""The live bots over the MQTT shell, through a real Mosquitto, against a scripted referee.

The referee stands in for the live service with the rules of docs/mqtt.md in memory (first
correct answer wins, one answer per player per question, late answers refused) and sends every
broadcast twice, as QoS 1 may: the SDK and the brains must act on each once. It checks the
shell, the brains and the demo's game checks together, without the local cloud.
"""

from __future__ import annotations

import asyncio
import json
import queue
import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clients.bots.live import Announce
from clients.bots.live_checks import game_problems, questions_with_one_winner
from clients.bots.live_host import HostSettings, LiveHost
from clients.bots.live_player import LivePlayer, PlayerSettings
from clients.bots.seat import Begin
from clients.bots.shells.mqtt_live import ScoreboardLatency, Seat, drive
from clients.sdk.mqtt import LiveConnection
from services.live import topics
from services.live.mqtt_client import BrokerAddress, MqttConnection
from services.quizzes.normalize import normalize_answer
from tests.integration.test_mqtt_client_support import Broker, needs_mosquitto, run, running_broker

pytestmark = [pytest.mark.integration, needs_mosquitto]

HOST, PLAYERS, REFEREE = "h1", ("p1", "p2", "p3"), "referee"
USERS = {name: f"{name}-secret" for name in (HOST, *PLAYERS, REFEREE)}
GAME = "g1"
QUESTIONS = [
    {
        "question_id": "q1",
        "index": 0,
        "type": "multiple_choice",
        "text": "2+2?",
        "options": ["3", "4", "5"],
    },
    {"question_id": "q2", "index": 1, "type": "open", "text": "3*3?"},
    {
        "question_id": "q3",
        "index": 2,
        "type": "multiple_choice",
        "text": "1+1?",
        "options": ["2", "11"],
    },
]
KEY = {"q1": "4", "q2": "9", "q3": "2"}


class Referee:
    """The live game's rules in memory, one worker thread (a publish waits for its PUBACK, so
    it must not run on awscrt's callback thread)."""

    def __init__(self, broker: Broker) -> None:
        self.inbound: queue.Queue[tuple[str, bytes] | None] = queue.Queue()
        self.connection = MqttConnection(
            BrokerAddress("127.0.0.1", broker.port),
            client_id=REFEREE,
            username=REFEREE,
            password=USERS[REFEREE],
            on_message=lambda topic, payload, retain: self.inbound.put((topic, payload)),
        )
        self.seq = 0
        self.players: dict[str, str] = {}
        self.index = -1
        self.winners: dict[str, str] = {}
        self.closed: set[str] = set()
        self.verdicts: dict[tuple[str, str], str] = {}
        self.scores: Counter[str] = Counter()
        self.worker = threading.Thread(target=self._work, daemon=True)

    def start(self) -> None:
        self.connection.connect()
        assert self.connection.subscribe(topics.HOST_COMMANDS_FILTER, topics.PLAYER_ACTIONS_FILTER)
        self.worker.start()

    def stop(self) -> None:
        self.inbound.put(None)
        self.worker.join(timeout=10)
        self.connection.close()

    # ------------------------------------------------------------------ rules

    def _work(self) -> None:
        while (item := self.inbound.get()) is not None:
            topic, payload = item
            sender = topics.sender_of(topic) or ""
            body = json.loads(payload)
            getattr(self, f"_{body['action']}")(sender, body)

    def _open_game(self, host: str, body: dict[str, Any]) -> None:
        quiz = {"name": "test", "question_count": len(QUESTIONS)}
        self._reply(host, body, {"type": "game_opened", "quiz": quiz})

    def _join_game(self, player: str, body: dict[str, Any]) -> None:
        self.players[player] = player.upper()
        self._reply(player, body, {"type": "joined", "scores": self._board(), "status": "lobby"})
        who = {"player_id": player, "display_name": player.upper()}
        self._broadcast({"type": "player_joined", "player": who, "players": len(self.players)})

    def _start_game(self, host: str, body: dict[str, Any]) -> None:
        self._broadcast({"type": "game_started", "players": len(self.players)})

    def _next_question(self, host: str, body: dict[str, Any]) -> None:
        if self.index + 1 >= len(QUESTIONS):
            error = {"code": "no_more_questions", "message": "that was the last"}
            self._reply(host, body, {"type": "error", "error": error})
            return
        self._close()
        self.index += 1
        self._broadcast(
            {
                "type": "question",
                "question": QUESTIONS[self.index],
                "time_limit_seconds": 5,
                "deadline_ms": 0,
            }
        )

    def _answer(self, player: str, body: dict[str, Any]) -> None:
        question_id = body["question_id"]
        current = QUESTIONS[self.index]["question_id"] if self.index >= 0 else None
        if question_id != current or question_id in self.closed:
            error = {"code": "question_not_open", "message": "closed"}
            self._reply(player, body, {"type": "error", "error": error})
            return
        key = (question_id, player)
        first = False
        if key not in self.verdicts:  # a repeat gets the first verdict again, nothing changes
            right = normalize_answer(body["answer"]) == normalize_answer(KEY[question_id])
            first = right and question_id not in self.winners
            self.verdicts[key] = "correct" if first else "not_first" if right else "incorrect"
            if first:
                self.winners[question_id] = player
                self.scores[player] += 1
        verdict = {
            "type": "verdict",
            "question_id": question_id,
            "verdict": self.verdicts[key],
            "correct_answer": KEY[question_id],
        }
        self._reply(player, body, verdict)
        if first:
            who = {"player_id": player, "display_name": player.upper()}
            self._broadcast(
                {
                    "type": "winner",
                    "question_id": question_id,
                    "winner": who,
                    "correct_answer": KEY[question_id],
                    "scores": self._board(),
                }
            )

    def _end_game(self, host: str, body: dict[str, Any]) -> None:
        self._close()
        self._broadcast({"type": "game_ended", "scores": self._board()})

    def _close(self) -> None:
        if self.index < 0:
            return
        question_id = QUESTIONS[self.index]["question_id"]
        self.closed.add(question_id)
        winner = self.winners.get(question_id)
        who = {"player_id": winner, "display_name": winner.upper()} if winner else None
        self._broadcast(
            {
                "type": "question_ended",
                "question_id": question_id,
                "winner": who,
                "correct_answer": KEY[question_id],
            }
        )

    # ------------------------------------------------------------------ sending

    def _board(self) -> list[dict[str, Any]]:
        ordered = sorted(self.players, key=lambda p: (-self.scores[p], p))
        return [
            {
                "rank": 1 + sum(1 for o in self.players if self.scores[o] > self.scores[p]),
                "player_id": p,
                "display_name": self.players[p],
                "score": self.scores[p],
            }
            for p in ordered
        ]

    def _reply(self, player: str, body: dict[str, Any], message: dict[str, Any]) -> None:
        reply = {**message, "game_id": GAME, "request_id": body.get("request_id")}
        self.connection.publish(topics.player_inbox(player), json.dumps(reply).encode())

    def _broadcast(self, message: dict[str, Any]) -> None:
        self.seq += 1
        payload = json.dumps({**message, "game_id": GAME, "seq": self.seq}).encode()
        for _ in range(2):  # a QoS 1 duplicate
            self.connection.publish(topics.game_events(GAME), payload)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    yield from running_broker(tmp_path, USERS, services=(REFEREE,))


def test_a_game_through_the_shell_has_one_winner_per_question(broker: Broker) -> None:
    referee = Referee(broker)
    referee.start()
    outcome: dict[str, Any] = {}

    async def scenario() -> None:
        connections = {name: LiveConnection(broker.credentials(name)) for name in (HOST, *PLAYERS)}
        for connection in connections.values():
            await connection.connect()
        try:
            await _game(connections, outcome)
        finally:
            for connection in connections.values():
                await connection.close()

    try:
        run(scenario())
    finally:
        referee.stop()

    host: LiveHost = outcome["host"]
    players: dict[str, LivePlayer] = outcome["players"]
    assert host.done is not None and host.done.ok, host.done
    assert host.asked == ["q1", "q2", "q3"]
    assert questions_with_one_winner(host) == 3
    assert host.winners == referee.winners
    assert game_problems(host, players) == []
    assert all(player.winners == referee.winners for player in players.values())
    assert sum(line["score"] for line in host.final_scores or []) == 3
    samples = outcome["latency"].samples_ms()
    assert len(samples) == 3 * len(PLAYERS)  # every player got each winner once
    assert all(0 < sample < 5_000 for sample in samples)
    assert all(outcome["dropped"][name] > 0 for name in PLAYERS)  # duplicates were dropped


async def _game(connections: dict[str, LiveConnection], outcome: dict[str, Any]) -> None:
    host = LiveHost(HostSettings(players=len(PLAYERS), lobby_timeout_seconds=10), "quiz")
    latency = ScoreboardLatency()
    announced: asyncio.Future[Announce] = asyncio.get_running_loop().create_future()
    host_seat = Seat(HOST, is_host=True, on_announce=announced.set_result)
    host_run = asyncio.create_task(
        drive(host, connections[HOST], Begin(), host_seat, idle_timeout=20)
    )
    game_id = (await asyncio.wait_for(announced, 10)).game_id
    rng = random.Random(5)
    players = {
        name: LivePlayer(
            PlayerSettings(accuracy=1.0 if name == "p1" else 0.5, think_seconds=(0.0, 0.05)),
            random.Random(rng.getrandbits(64)),
            game_id,
            name,
            KEY,
        )
        for name in PLAYERS
    }
    runs = [
        drive(
            players[name], connections[name], Begin(), Seat(name, latency=latency), idle_timeout=20
        )
        for name in PLAYERS
    ]
    await asyncio.gather(host_run, *runs)
    outcome.update(
        host=host,
        players=players,
        latency=latency,
        dropped={name: connections[name].dropped for name in PLAYERS},
    )
