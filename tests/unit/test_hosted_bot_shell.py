"""The WebSocket shell around the hosted brains, over a scripted in-memory socket: timers,
a drop and its resume, idleness, and broadcast latency on a fake clock. No network."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import pytest

from clients.bots.hosted import Announce
from clients.bots.hosted_player import PlayerBot, PlayerSettings
from clients.bots.seat import Begin
from clients.bots.shells.ws_hosted import BroadcastLatency, Seat, drive
from clients.sdk.ws_errors import ConnectionLost
from clients.sdk.ws_messages import ServerMessage

pytestmark = pytest.mark.unit

Q1 = {"question_id": "q1", "index": 0, "type": "open", "text": "Symbol of gold?"}
Reply = Callable[[str, dict[str, Any]], list[dict[str, Any]]]


class ScriptedSocket:
    """Answers each action with the messages ``reply`` gives; ``drop()`` fails the reader."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.reconnects = 0
        self.inbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.seq = 0

    def push(self, kind: str, **fields: Any) -> None:
        self.seq += 1
        self.inbox.put_nowait({"type": kind, "game_id": "g1", "seq": self.seq, **fields})

    def drop(self) -> None:
        self.inbox.put_nowait(None)

    async def send(self, action: str, *, request_id: str, **fields: Any) -> str:
        self.sent.append((action, fields))
        for message in self.reply(action, {**fields, "request_id": request_id}):
            self.push(**message)
        return request_id

    async def receive(self) -> ServerMessage:
        body = await self.inbox.get()
        if body is None:
            raise ConnectionLost("dropped")
        return ServerMessage.from_body(body)

    async def reconnect(self) -> list[str]:
        self.reconnects += 1
        self.push("resumed", role="player", state={
            "status": "question_open", "answered": False,
            "your_score": 0, "your_rank": 1, "your_correct": 0,
            "scores": [], "players": 1,
            "question": {"question": Q1, "time_limit_seconds": 20, "deadline_ms": 1}})
        return ["resume-1"]


def player() -> PlayerBot:
    settings = PlayerSettings(accuracy=1.0, think_seconds=(0.0, 0.0))
    return PlayerBot(settings, random.Random(1), "ABC123", {"q1": "Au"})


def test_a_player_joins_answers_survives_a_drop_and_finishes() -> None:
    answers: list[str] = []

    def reply(action: str, fields: dict[str, Any]) -> list[dict[str, Any]]:
        if action == "join_game":
            return [{"kind": "joined", "request_id": fields["request_id"],
                     "player": {"player_id": "me", "display_name": "me"},
                     "state": {"status": "lobby", "scores": [], "players": 1,
                               "your_score": 0, "your_rank": 1, "your_correct": 0}},
                    {"kind": "question", "question": Q1, "time_limit_seconds": 20,
                     "deadline_ms": 1}]
        if action == "answer":
            answers.append(fields["answer"])
            if len(answers) == 1:
                socket.drop()  # the acknowledgement is lost with the connection
                return []
            scores = [{"rank": 1, "player_id": "me", "display_name": "me", "score": 990}]
            return [{"kind": "answer_accepted", "question_id": "q1"},
                    {"kind": "question_closed", "question_id": "q1", "answered": 1},
                    {"kind": "game_ended", "scores": scores, "players": 1,
                     "you": {"rank": 1, "score": 990, "correct": 1}}]
        return []

    async def scenario() -> Any:
        nonlocal socket
        socket = ScriptedSocket(reply)
        latency = BroadcastLatency()
        latency.asking("g1")
        latency.host_saw("g1", "q1")
        bot = player()
        done = await asyncio.wait_for(
            drive(bot, socket, Begin(), Seat(latency=latency), idle_timeout=5), 5)  # type: ignore[arg-type]
        return done, bot, latency

    socket: Any = None
    done, bot, latency = asyncio.run(scenario())
    assert done.ok
    assert answers == ["Au", "Au"]  # the same answer again after the resume
    assert socket.reconnects == 1
    assert (bot.score, bot.final_players) == (990, 1)
    [sample] = latency.samples_ms()  # one broadcast question, timed once
    assert sample >= 0


def test_silence_ends_the_game_for_the_bot_as_stalled() -> None:
    async def scenario() -> Any:
        socket = ScriptedSocket(lambda action, fields: [])
        return await drive(player(), socket, Begin(), idle_timeout=0.05)  # type: ignore[arg-type]

    done = asyncio.run(scenario())
    assert done.error_code == "stalled"


def test_the_host_announces_its_join_code_through_the_seat() -> None:
    from clients.bots.hosted_host import HostBot, HostSettings

    announced: list[Announce] = []

    def reply(action: str, fields: dict[str, Any]) -> list[dict[str, Any]]:
        if action == "open_game":
            quiz = {"name": "Q", "mode": "casual", "question_count": 1, "rounds": 0}
            return [{"kind": "game_opened", "join_code": "XYZ789", "quiz": quiz,
                     "request_id": fields["request_id"]}]
        return []

    async def scenario() -> Any:
        socket = ScriptedSocket(reply)
        host = HostBot(HostSettings(players=1, lobby_timeout_seconds=0.05), "quiz-1")
        seat = Seat(is_host=True, on_announce=announced.append)
        return await drive(host, socket, Begin(), seat, idle_timeout=5)  # type: ignore[arg-type]

    done = asyncio.run(scenario())
    assert announced == [Announce("g1", "XYZ789")]
    assert done.error_code == "no_players"


def test_latency_pairs_each_receipt_with_the_hosts_ask_of_that_question() -> None:
    now = [0.0]
    latency = BroadcastLatency(clock=lambda: now[0])
    latency.asking("g1")
    now[0] = 0.010
    latency.player_got("g1", "q1")  # before the host's own copy arrived
    latency.host_saw("g1", "q1")
    now[0] = 0.030
    latency.player_got("g1", "q1")
    latency.player_got("g1", "q9")  # never asked by this host: no sample
    assert [round(ms, 3) for ms in latency.samples_ms()] == [10.0, 30.0]
