"""Live game state in Redis (``lg:{<game_id>}:*``), changed only by the scripts in ``scripts``.

Keys of one game: ``meta`` (hash: host, status, current question index and id, its deadline on
the Redis clock, its written answer, ``winner:<qid>`` fields, ``seq``), ``plan`` (the quiz
snapshot with answers; never sent to players), ``players`` (id -> display name), ``scores``
(sorted set), ``accepted:<qid>`` (normalised accepted answers), ``answers:<qid>`` (id -> the
first verdict) and ``requests`` (request ids of next_question already acted on). Every key
expires after ``GAME_TTL_SECONDS``.

A live answer is one ``EVALSHA`` (``services.core.redis.LuaScripts``: reloaded on NOSCRIPT, e.g.
after a restart). Connection failures become ``ServiceUnavailable`` (retryable): an answer is
never accepted silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import redis

from services.core.game_errors import GAME_REFUSALS
from services.core.redis import GameKeys, LuaScripts, Refusals, reachable
from services.live import errors, scripts
from services.live.game import GamePlan, ScoreLine

GAME_TTL_SECONDS = 24 * 3600

_REFUSALS: Refusals = {
    **GAME_REFUSALS,
    "not_host": lambda _: errors.NotHost("only the game's host may do that"),
    "no_more_questions": lambda _: errors.NoMoreQuestions("the quiz has no more questions"),
}


# Replies a retry can outlast: a long script, a loading server, a cluster resharding or failing
# over.
_BUSY_REPLIES = frozenset({"BUSY", "LOADING", "TRYAGAIN", "CLUSTERDOWN"})


class Keys(GameKeys):
    namespace = "lg"

    def __init__(self, game_id: str) -> None:
        super().__init__(game_id)
        self.meta = self.prefix + "meta"
        self.plan = self.prefix + "plan"
        self.players = self.prefix + "players"
        self.scores = self.prefix + "scores"
        self.requests = self.prefix + "requests"

    def accepted(self, question_id: str) -> str:
        return f"{self.prefix}accepted:{question_id}"


@dataclass(frozen=True)
class Joined:
    new: bool
    players: int
    seq: int  # 0 when nothing is broadcast (a repeated join)
    host_id: str


@dataclass(frozen=True)
class Started:
    repeat: bool
    seq: int
    players: int


@dataclass(frozen=True)
class Asked:
    repeat: bool
    index: int = -1
    deadline_ms: int = 0
    seq: int = 0
    previous_question_id: str = ""
    previous_seq: int = 0
    previous_winner: str = ""
    previous_answer: str = ""


@dataclass(frozen=True)
class Verdict:
    repeat: bool
    verdict: str  # correct | incorrect | not_first
    winner: str  # player id, '' when nobody has won yet
    seq: int  # the winner broadcast's seq (correct only)
    correct_answer: str
    board: tuple[ScoreLine, ...] = ()  # correct only: the players with points


@dataclass(frozen=True)
class Ended:
    repeat: bool
    seq: int
    question_id: str
    question_seq: int  # 0: no question was open when the game ended
    question_winner: str
    question_index: int
    correct_answer: str
    board: tuple[ScoreLine, ...]


@dataclass(frozen=True)
class Snapshot:
    now_ms: int
    meta: dict[str, str]
    board: tuple[ScoreLine, ...] = field(default=())  # the players with points

    @property
    def status(self) -> str:
        return self.meta.get("status", "")

    @property
    def question_index(self) -> int:
        return int(self.meta.get("q_index", "-1"))

    def winners(self) -> dict[str, str]:
        return {name.split(":", 1)[1]: value for name, value in self.meta.items()
                if name.startswith("winner:")}


def _reachable() -> AbstractContextManager[None]:
    return reachable(_BUSY_REPLIES)


def _board(flat: Sequence[str]) -> tuple[ScoreLine, ...]:
    return tuple(ScoreLine(flat[i], flat[i + 1], int(float(flat[i + 2])))
                 for i in range(0, len(flat) - 2, 3))


class RedisLiveStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._scripts = LuaScripts(
            client, scripts, ("JOIN", "START", "ASK", "ANSWER", "END", "SNAPSHOT", "RESTORE"),
            refusals=_REFUSALS, busy_replies=_BUSY_REPLIES,
        )

    def _run(self, name: str, keys: list[str], args: Sequence[Any] = ()) -> list[str]:
        return self._scripts.run(name, keys, args)

    def create(self, plan: GamePlan) -> None:
        keys = Keys(plan.game_id)
        with _reachable():
            pipe = self._redis.pipeline(transaction=True)
            pipe.hset(keys.meta, mapping={"status": "lobby", "host_id": plan.host_id,
                                          "q_index": "-1", "seq": "0",
                                          "count": str(len(plan.questions))})
            pipe.set(keys.plan, plan.to_json(), ex=GAME_TTL_SECONDS)
            pipe.expire(keys.meta, GAME_TTL_SECONDS)
            pipe.execute()

    def plan(self, game_id: str) -> GamePlan:
        with _reachable():
            text = self._redis.get(Keys(game_id).plan)
        if text is None:
            raise errors.GameNotFound("no such game")
        return GamePlan.from_json(text.decode() if isinstance(text, bytes) else text)

    def join(self, game_id: str, player_id: str, display_name: str) -> Joined:
        k = Keys(game_id)
        words = self._run("JOIN", [k.meta, k.players, k.scores],
                          [player_id, display_name, GAME_TTL_SECONDS])
        return Joined(new=words[1] == "1", players=int(words[2]), seq=int(words[3]),
                      host_id=words[4])

    def start(self, game_id: str, host_id: str) -> Started:
        k = Keys(game_id)
        words = self._run("START", [k.meta, k.players], [host_id])
        return Started(repeat=words[0] == "repeat", seq=int(words[1]), players=int(words[2]))

    def ask(self, plan: GamePlan, *, host_id: str, request_id: str | None,
            expected_index: int) -> Asked:
        k = Keys(plan.game_id)
        index = expected_index + 1
        if index >= len(plan.questions):
            raise errors.NoMoreQuestions("the quiz has no more questions")
        question = plan.questions[index]
        words = self._run("ASK", [k.meta, k.accepted(question.question_id), k.requests], [
            host_id, request_id or "", len(plan.questions), question.question_id,
            question.time_limit_seconds, question.answer, expected_index, *question.accepted,
        ])
        if words[0] == "repeat":
            return Asked(repeat=True)
        self._expire(k, k.accepted(question.question_id))
        return Asked(repeat=False, index=int(words[1]), deadline_ms=int(words[2]),
                     seq=int(words[3]), previous_question_id=words[4],
                     previous_seq=int(words[5]), previous_winner=words[6],
                     previous_answer=words[7])

    def answer(self, game_id: str, *, player_id: str, question_id: str,
               normalized: str) -> Verdict:
        """The one round trip of a live answer."""
        k = Keys(game_id)
        words = self._run("ANSWER", [k.meta, k.players, k.answers(question_id),
                                     k.accepted(question_id), k.scores],
                          [player_id, question_id, normalized])
        return Verdict(repeat=words[0] == "repeat", verdict=words[1], winner=words[2],
                       seq=int(words[3]), correct_answer=words[4], board=_board(words[5:]))

    def end(self, game_id: str, host_id: str) -> Ended:
        k = Keys(game_id)
        words = self._run("END", [k.meta, k.players, k.scores], [host_id])
        return Ended(repeat=words[0] == "repeat", seq=int(words[1]), question_id=words[2],
                     question_seq=int(words[3]), question_winner=words[4],
                     question_index=int(words[5]), correct_answer=words[6],
                     board=_board(words[7:]))

    def snapshot(self, game_id: str) -> Snapshot:
        k = Keys(game_id)
        words = self._run("SNAPSHOT", [k.meta, k.players, k.scores])
        cut = words.index("__board")
        meta = dict(zip(words[2:cut:2], words[3:cut:2], strict=True))
        return Snapshot(now_ms=int(words[1]), meta=meta, board=_board(words[cut + 1:]))

    def restore(self, plan: GamePlan, meta: dict[str, str], board: Sequence[ScoreLine]) -> bool:
        """Put a game back from its durable record; False when it is already there."""
        k = Keys(plan.game_id)
        qid = meta.get("qid", "")
        question = next((q for q in plan.questions if q.question_id == qid), None)
        accepted_key = k.accepted(qid) if question else k.prefix + "none"
        args: list[Any] = [len(meta)]
        for name, value in meta.items():
            args += [name, value]
        args.append(len(board))
        for line in board:
            args += [line.player_id, line.display_name, line.score]
        args += list(question.accepted) if question else []
        words = self._run("RESTORE", [k.meta, k.players, k.scores, accepted_key], args)
        if words[0] == "restored":
            with _reachable():
                self._redis.set(k.plan, plan.to_json(), ex=GAME_TTL_SECONDS)
            self._expire(k, accepted_key)
        return words[0] == "restored"

    def remove(self, game_id: str, question_ids: Sequence[str]) -> None:
        k = Keys(game_id)
        with _reachable():
            self._redis.delete(k.meta, k.plan, k.players, k.scores, k.requests,
                               *(k.accepted(q) for q in question_ids),
                               *(k.answers(q) for q in question_ids))

    def _expire(self, k: Keys, *extra: str) -> None:
        with _reachable():
            pipe = self._redis.pipeline(transaction=False)
            for key in (k.meta, k.players, k.scores, *extra):
                pipe.expire(key, GAME_TTL_SECONDS)
            pipe.execute()
