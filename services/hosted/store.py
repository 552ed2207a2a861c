"""Live game state in Redis (``hg:{<game_id>}:*``), changed only by the scripts in ``scripts``.

Keys of one game: ``meta`` (hash: host, status, current question, its server-clock times),
``plan`` (the quiz snapshot, answers included; never sent to players), ``players`` (hash
id -> display name), ``scores`` (sorted set), ``correct`` (hash id -> correct answers),
``conns`` (hash id -> current connection id, host included), ``accepted`` (set: normalised
accepted answers of the open question), ``answers:<question_id>`` (hash id -> the first answer
and its verdict) and ``seq``. Every key lives at most ``GAME_TTL_SECONDS``; an ended game's keys
expire after ``ENDED_TTL_SECONDS``.

Redis errors become ``ServiceUnavailable`` (retryable): nothing is ever accepted silently
(``services.core.redis``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import redis

from services.core.game_errors import GAME_REFUSALS
from services.core.redis import GameKeys, LuaScripts, Refusals, reachable
from services.core.redis import text as _text
from services.hosted import errors, scripts
from services.hosted.game import GamePlan, GameState

GAME_TTL_SECONDS = 24 * 3600
ENDED_TTL_SECONDS = 600
RATE_LIMIT_PER_SECOND = 10

_REFUSALS: Refusals = {
    **GAME_REFUSALS,
    "already_answered": lambda _: errors.AlreadyAnswered(
        "you already answered this question; the first answer stands"),
}


@dataclass(frozen=True)
class Asked:
    asked_ms: int
    deadline_ms: int


@dataclass(frozen=True)
class AnswerOutcome:
    duplicate: bool  # a replay of the first answer: nothing changed
    answered: int = 0
    players: int = 0
    seq: int = 0  # for the host's answer_progress, taken atomically with ``answered``


@dataclass(frozen=True)
class Joined:
    new: bool
    players: int
    seq: int  # the host's player_joined: taken with the count, so a higher count has a higher seq


@dataclass(frozen=True)
class Left:
    display_name: str
    players: int
    seq: int  # the host's player_left, taken with the count


@dataclass(frozen=True)
class RecordedAnswer:
    player_id: str
    answer: str
    correct: bool
    points: int


# Replies a retry can outlast: a script running long, a server loading its data.
_BUSY_REPLIES = frozenset({"BUSY", "LOADING"})


class Keys(GameKeys):
    namespace = "hg"

    def __getattr__(self, name: str) -> str:
        return self.prefix + name


def _reachable() -> AbstractContextManager[None]:
    return reachable(_BUSY_REPLIES)


class RedisGameStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._scripts = LuaScripts(
            client, scripts,
            ("TRANSITION", "ASK", "CLOSE", "ANSWER", "APPLY", "JOIN", "LEAVE", "RESUME",
             "DETACH", "SNAPSHOT", "RATE"),
            refusals=_REFUSALS, busy_replies=_BUSY_REPLIES,
        )

    def _run(self, name: str, keys: list[str], args: Sequence[Any] = ()) -> list[str]:
        return self._scripts.run(name, keys, args)

    # ------------------------------------------------------------ lifecycle

    def create(self, plan: GamePlan, host_connection: str) -> None:
        k = Keys(plan.game_id)
        with _reachable():
            pipe = self._redis.pipeline(transaction=True)
            pipe.hset(k.meta, mapping={
                "status": "lobby", "host_id": plan.host_id, "q_index": "-1", "open": "0",
                "asked_ms": "0", "deadline_ms": "0", "limit_s": "0", "qid": "",
            })
            pipe.set(k.plan, json.dumps(plan.to_json()))
            pipe.hset(k.conns, plan.host_id, host_connection)
            for key in (k.meta, k.plan, k.conns):
                pipe.expire(key, GAME_TTL_SECONDS)
            pipe.execute()

    def plan(self, game_id: str) -> GamePlan:
        with _reachable():
            raw = self._redis.get(Keys(game_id).plan)
        if raw is None:
            raise errors.GameNotFound("no such game")
        return GamePlan.from_json(json.loads(raw))

    def start(self, game_id: str) -> None:
        self._run("TRANSITION", [Keys(game_id).meta], ["lobby", "started"])

    def end(self, game_id: str) -> bool:
        """Mark the game ended; False when it already was (a retried end_game)."""
        try:
            self._run("TRANSITION", [Keys(game_id).meta], ["started", "ended"])
            return True
        except errors.InvalidState:
            state = self.state(game_id)
            if state.stored_status == "ended":
                return False
            if state.stored_status == "lobby":
                self._run("TRANSITION", [Keys(game_id).meta], ["lobby", "ended"])
                return True
            raise

    def expire(self, plan: GamePlan, seconds: int = ENDED_TTL_SECONDS) -> None:
        k = Keys(plan.game_id)
        names = ["meta", "plan", "players", "scores", "correct", "applied", "conns", "accepted",
                 "seq"]
        with _reachable():
            pipe = self._redis.pipeline(transaction=False)
            for name in names:
                pipe.expire(k.prefix + name, seconds)
            for question in plan.questions:
                pipe.expire(k.answers(question.question_id), seconds)
            pipe.execute()

    # ------------------------------------------------------------ questions

    def ask(self, game_id: str, *, expected_index: int, index: int, question_id: str,
            time_limit_seconds: int, accepted: Sequence[str]) -> Asked:
        k = Keys(game_id)
        words = self._run("ASK", [k.meta, k.accepted], [
            expected_index, index, question_id, time_limit_seconds, *accepted])
        with _reachable():
            self._redis.expire(k.answers(question_id), GAME_TTL_SECONDS)
        return Asked(asked_ms=int(words[1]), deadline_ms=int(words[2]))

    def close(self, game_id: str) -> tuple[str, int]:
        k = Keys(game_id)
        question_id = self._current_question_id(game_id)
        words = self._run("CLOSE", [k.meta, k.answers(question_id)])
        return words[1], int(words[2])

    def _current_question_id(self, game_id: str) -> str:
        with _reachable():
            return str(self._redis.hget(Keys(game_id).meta, "qid") or "")

    def answer(self, game_id: str, *, player_id: str, question_id: str, answer: str,
               normalized: str) -> AnswerOutcome:
        k = Keys(game_id)
        words = self._run(
            "ANSWER",
            [k.meta, k.players, k.answers(question_id), k.accepted, k.seq],
            [player_id, question_id, answer, normalized, GAME_TTL_SECONDS],
        )
        if words[0] == "duplicate":
            return AnswerOutcome(duplicate=True)
        return AnswerOutcome(duplicate=False, answered=int(words[1]), players=int(words[2]),
                             seq=int(words[3]))

    def apply(self, game_id: str, question_ids: Sequence[str]) -> int:
        """Add these questions' points and correct answers to the standings, each once (at its
        reveal, or at the end); how many were not applied before."""
        if not question_ids:
            return 0
        k = Keys(game_id)
        keys = [k.players, k.scores, k.correct, k.applied,
                *(k.answers(question_id) for question_id in question_ids)]
        words = self._run("APPLY", keys, [GAME_TTL_SECONDS, *question_ids])
        return int(words[1])

    def answers(self, game_id: str, question_id: str) -> list[RecordedAnswer]:
        with _reachable():
            raw = self._redis.hgetall(Keys(game_id).answers(question_id))
        recorded = []
        for player_id, value in raw.items():
            data = json.loads(value)
            recorded.append(RecordedAnswer(
                player_id=_text(player_id), answer=data["answer"],
                correct=bool(data["correct"]), points=int(data["points"]),
            ))
        return sorted(recorded, key=lambda item: item.player_id)

    def answered(self, game_id: str, question_id: str, player_id: str) -> bool:
        with _reachable():
            return bool(self._redis.hexists(Keys(game_id).answers(question_id), player_id))

    # ------------------------------------------------------------ seats

    def join(self, game_id: str, *, player_id: str, display_name: str,
             connection_id: str) -> Joined:
        k = Keys(game_id)
        words = self._run("JOIN", [k.meta, k.players, k.scores, k.conns, k.seq],
                          [player_id, display_name, connection_id, GAME_TTL_SECONDS])
        return Joined(new=words[1] == "1", players=int(words[2]), seq=int(words[3]))

    def leave(self, game_id: str, player_id: str) -> Left:
        k = Keys(game_id)
        words = self._run("LEAVE", [k.meta, k.players, k.scores, k.conns, k.correct, k.seq],
                          [player_id, GAME_TTL_SECONDS])
        return Left(display_name=words[1], players=int(words[2]), seq=int(words[3]))

    def resume(self, game_id: str, *, player_id: str, connection_id: str) -> str:
        k = Keys(game_id)
        return self._run("RESUME", [k.meta, k.players, k.conns], [player_id, connection_id])[1]

    def detach(self, game_id: str, player_id: str, connection_id: str) -> None:
        self._run("DETACH", [Keys(game_id).conns], [player_id, connection_id])

    def host_connection(self, game_id: str) -> tuple[str, str | None]:
        """The host's id and current connection (None while the host is away)."""
        k = Keys(game_id)
        with _reachable():
            host_id = self._redis.hget(k.meta, "host_id")
            if host_id is None:
                raise errors.GameNotFound("no such game")
            connection = self._redis.hget(k.conns, _text(host_id))
        return _text(host_id), _text(connection) if connection is not None else None

    def connections(self, game_id: str) -> dict[str, str]:
        """Seat (player or host id) -> its current connection id."""
        with _reachable():
            raw = self._redis.hgetall(Keys(game_id).conns)
        return {_text(seat): _text(connection) for seat, connection in raw.items()}

    # ------------------------------------------------------------ reads

    def state(self, game_id: str) -> GameState:
        k = Keys(game_id)
        with _reachable():
            flat = self._scripts.call("SNAPSHOT", [k.meta])
            pipe = self._redis.pipeline(transaction=False)
            pipe.hgetall(k.players)
            pipe.zrange(k.scores, 0, -1, withscores=True)
            players, scores = pipe.execute()
        meta = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
        if "status" not in meta:
            raise errors.GameNotFound("no such game")
        return GameState(
            stored_status=meta["status"], host_id=meta["host_id"],
            question_index=int(meta["q_index"]), open=meta["open"] == "1",
            asked_ms=int(meta["asked_ms"]), deadline_ms=int(meta["deadline_ms"]),
            now_ms=int(meta["__now_ms"]),
            players={_text(p): _text(name) for p, name in players.items()},
            scores={_text(p): int(score) for p, score in scores},
        )

    def correct_counts(self, game_id: str) -> dict[str, int]:
        with _reachable():
            raw = self._redis.hgetall(Keys(game_id).correct)
        return {_text(p): int(count) for p, count in raw.items()}

    def correct_count(self, game_id: str, player_id: str) -> int:
        with _reachable():
            return int(self._redis.hget(Keys(game_id).correct, player_id) or 0)

    # ------------------------------------------------------------ counters

    def next_seq(self, game_id: str) -> int:
        k = Keys(game_id)
        with _reachable():
            pipe = self._redis.pipeline(transaction=False)
            pipe.incr(k.seq)
            pipe.expire(k.seq, GAME_TTL_SECONDS)
            return int(pipe.execute()[0])

    def allow_action(self, connection_id: str, limit: int = RATE_LIMIT_PER_SECOND) -> bool:
        """At most ``limit`` actions per connection per second (of the Redis clock)."""
        with _reachable():
            count = self._scripts.call("RATE", [f"rl:{{{connection_id}}}"])
        return int(count) <= limit
