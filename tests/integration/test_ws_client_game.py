"""Host and player bots over real WebSocket connections: the brains, the shell and the SDK
against a small loopback game server that speaks the protocol (one casual game, seq numbers,
private replies and broadcasts, resume). One player's connection is cut mid-game; it must
reconnect, resume and finish with its score intact."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from clients.bots.hosted_host import HostBot, HostSettings, RevealCounts
from clients.bots.hosted_player import PlayerBot, PlayerSettings
from clients.bots.seat import Begin
from clients.bots.shells.ws_hosted import BroadcastLatency, Seat, drive
from clients.sdk.ws import GameSocket
from tests.integration.test_ws_client import RefreshingClient, run_async

pytestmark = pytest.mark.integration

QUESTIONS = [
    {"question_id": "q1", "index": 0, "type": "multiple_choice", "text": "2 + 2?",
     "options": ["3", "4", "5"]},
    {"question_id": "q2", "index": 1, "type": "open", "text": "Symbol of gold?"},
]
ANSWERS = {"q1": "4", "q2": "Au"}


@dataclass
class Game:
    """One casual game as the server keeps it; seats are tokens ("host", "p1", ...)."""

    seq: int = 0
    seats: dict[str, ServerConnection] = field(default_factory=dict)
    players: list[str] = field(default_factory=list)
    asked: int = -1
    open: bool = False
    answers: dict[str, dict[str, str]] = field(default_factory=dict)  # question -> seat -> text
    scores: dict[str, int] = field(default_factory=dict)
    resumes: list[tuple[str, int]] = field(default_factory=list)

    async def to(self, seats: list[str], kind: str, request_id: str | None = None,
                 personal: Callable[[str], dict[str, Any]] | None = None,
                 **fields: Any) -> None:
        """One message (one seq) to ``seats``; a player's copy adds ``personal(seat)``."""
        self.seq += 1
        body = {"type": kind, "game_id": "g1", "seq": self.seq, **fields}
        if request_id is not None:
            body["request_id"] = request_id
        for seat in seats:
            own = personal(seat) if personal is not None and seat != "host" else {}
            with suppress(ConnectionClosed, KeyError):
                await self.seats[seat].send(json.dumps({**body, **own}))

    def scoreboard(self) -> list[dict[str, Any]]:
        """Every player's line: three players fit in the top 10."""
        ordered = sorted(self.players, key=lambda p: (-self.scores[p], p))
        return [{"rank": 1 + sum(1 for o in self.players if self.scores[o] > self.scores[p]),
                 "player_id": p, "display_name": p, "score": self.scores[p]} for p in ordered]

    def you(self, seat: str) -> dict[str, Any]:
        [line] = [line for line in self.scoreboard() if line["player_id"] == seat]
        return {"you": {"rank": line["rank"], "score": line["score"],
                        "correct": line["score"] // 1000}}  # 1000 points per right answer

    def state(self, seat: str) -> dict[str, Any]:
        state: dict[str, Any] = {"status": "question_open" if self.open else "lobby",
                                 "scores": self.scoreboard(), "players": len(self.players)}
        if seat != "host":
            line = self.you(seat)["you"]
            state["your_score"], state["your_rank"] = line["score"], line["rank"]
            state["your_correct"] = line["correct"]
        if self.open:
            question = QUESTIONS[self.asked]
            state["question"] = {"question": question, "time_limit_seconds": 20,
                                 "deadline_ms": 0}
            state["answered"] = seat in self.answers.get(question["question_id"], {})
        return state

    async def act(self, seat: str, frame: dict[str, Any]) -> None:
        action, rid, everyone = frame["action"], frame.get("request_id"), ["host", *self.players]
        if action == "open_game":
            quiz = {"name": "Loopback", "mode": "casual", "question_count": 2, "rounds": 0}
            await self.to([seat], "game_opened", rid, join_code="ABC123", quiz=quiz)
        elif action == "join_game":
            self.players.append(seat)
            self.scores[seat] = 0
            await self.to([seat], "joined", rid, player={"player_id": seat, "display_name": seat},
                          state=self.state(seat))
            await self.to(["host"], "player_joined", player={"player_id": seat,
                                                             "display_name": seat},
                          players=len(self.players))
        elif action == "start_game":
            await self.to(everyone, "game_started", rid, players=len(self.players))
        elif action == "next_question":
            self.asked += 1
            self.open = True
            await self.to(everyone, "question", rid, question=QUESTIONS[self.asked],
                          time_limit_seconds=20, deadline_ms=0)
        elif action == "answer":
            given = self.answers.setdefault(frame["question_id"], {})
            first = seat not in given
            given.setdefault(seat, frame["answer"])
            await self.to([seat], "answer_accepted", rid, question_id=frame["question_id"])
            if first:
                self.scores[seat] += 1000 if frame["answer"] == ANSWERS[frame["question_id"]] else 0
                await self.to(["host"], "answer_progress", question_id=frame["question_id"],
                              answered=len(given), players=len(self.players))
        elif action == "close_question":
            self.open = False
            question_id = QUESTIONS[self.asked]["question_id"]
            await self.to(everyone, "question_closed", rid, question_id=question_id,
                          answered=len(self.answers.get(question_id, {})))
        elif action == "reveal":
            question_id = QUESTIONS[self.asked]["question_id"]
            given = self.answers.get(question_id, {})
            right = [p for p, text in given.items() if text == ANSWERS[question_id]]
            revealed = {"question_id": question_id, "correct_answer": ANSWERS[question_id],
                        "alternatives": [], "follow_up": None, "answered": len(given),
                        "answered_correctly": len(right), "answers": []}

            def with_yours(seat: str) -> dict[str, Any]:
                text = given.get(seat)
                yours = None if text is None else {
                    "answer": text, "correct": seat in right, "points": 1000 * (seat in right)}
                return {"questions": [{**revealed, "yours": yours}]}

            await self.to(everyone, "reveal", rid, personal=with_yours, questions=[revealed])
        elif action in ("show_scoreboard", "end_game"):
            kind = "scoreboard" if action == "show_scoreboard" else "game_ended"
            await self.to(everyone, kind, rid, personal=self.you, scores=self.scoreboard(),
                          players=len(self.players))
        elif action == "resume":
            self.resumes.append((seat, frame["last_seq"]))
            await self.to([seat], "resumed", rid, role="host" if seat == "host" else "player",
                          state=self.state(seat))


@asynccontextmanager
async def game_server(game: Game) -> AsyncIterator[str]:
    async def handler(connection: ServerConnection) -> None:
        assert connection.request is not None
        seat = parse_qs(urlsplit(connection.request.path).query)["token"][0]
        game.seats[seat] = connection
        async for raw in connection:
            await game.act(seat, json.loads(raw))

    async with serve(handler, "127.0.0.1", 0) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/"


@run_async
async def test_a_hosted_game_over_websockets_survives_a_dropped_player() -> None:
    game = Game()
    async with game_server(game) as url:
        host_socket = GameSocket(RefreshingClient(url, token="host"))
        players = {f"p{n}": PlayerBot(PlayerSettings(accuracy=1.0, think_seconds=(0.0, 0.05)),
                                      random.Random(n), "ABC123", ANSWERS) for n in range(3)}
        sockets = {seat: GameSocket(RefreshingClient(url, token=seat)) for seat in players}
        for socket in [host_socket, *sockets.values()]:
            await socket.connect()
        latency = BroadcastLatency()
        host = HostBot(HostSettings(players=3), "quiz-1")
        announced = asyncio.Event()
        host_run = asyncio.create_task(drive(
            host, host_socket, Begin(),
            Seat(is_host=True, latency=latency, on_announce=lambda _: announced.set())))
        await announced.wait()

        async def cut_p0_after_first_question() -> None:
            while "p0" not in game.answers.get("q1", {}):
                await asyncio.sleep(0.005)
            await sockets["p0"].drop()

        runs = [drive(players[seat], sockets[seat], Begin(), Seat(latency=latency))
                for seat in players]
        done = await asyncio.gather(host_run, *runs, cut_p0_after_first_question())
        for socket in [host_socket, *sockets.values()]:
            await socket.close()
    assert all(outcome is None or outcome.ok for outcome in done), done
    assert [seat for seat, _ in game.resumes] == ["p0"]
    assert game.resumes[0][1] >= 1  # the last seq p0 had seen
    final = {line["player_id"]: line["score"] for line in host.final_scores or []}
    assert final == {"p0": 2000, "p1": 2000, "p2": 2000}
    assert host.final_players == 3
    assert players["p0"].score == 2000 and players["p0"].points == 2000
    assert all(player.final_scores == host.final_scores for player in players.values())
    assert host.revealed == ["q1", "q2"]
    assert host.reveal_counts == {"q1": RevealCounts(3, 3), "q2": RevealCounts(3, 3)}
    # p1 and p2 got both questions pushed; p0 got q2 pushed, or in its resumed state.
    assert len(latency.samples_ms()) in (5, 6)
