"""The live game's use cases: plain functions over ``LiveServices`` and a ``Caller``.

Who is calling is always the topic segment the broker's policy pins to the connected player
(``Caller.player_id``). Every state change is one Redis script (``store``); the durable record
(``records``) is written off the per-answer hot path: at open, join, start, each next question,
the one winning answer of a question (before it is acknowledged) and the end. What a Redis crash
can lose: the record of non-winning answers to the open question (those players may answer it
again after the rebuild); never a point, a player or the question index.

QoS 1 redeliveries are acted on once: answers by the script (a repeat gets the first verdict),
``next_question`` by its request id, ``open_game`` by a game id derived from the request id,
start/join/end by state. A repeat re-sends the same messages with the same ``seq``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from services.core.errors import QuizNotFound
from services.core.events import EXPERIENCE_PER_CORRECT_ANSWER, PlayerResult, game_credits
from services.live import errors, protocol, topics
from services.live.game import ENDED, LOBBY, GamePlan, ScoreLine, plan_from_quiz
from services.live.ports import (
    CompletionMarkers,
    GameRecord,
    GameRecords,
    MessageSink,
    Profiles,
    QuizSource,
    ResultPublisher,
)
from services.live.store import RedisLiveStore, Snapshot
from services.quizzes.model import Mode
from services.quizzes.normalize import normalize_answer

T = TypeVar("T")
# A rebuilt game's seq starts this far above the last one persisted, so every client takes the
# next broadcast as new even if some broadcasts after the last persisted one were sent.
RESEQ_GAP = 1000


@dataclass(frozen=True)
class LiveServices:
    store: RedisLiveStore
    records: GameRecords
    sink: MessageSink
    quizzes: QuizSource
    profiles: Profiles
    publisher: ResultPublisher
    markers: CompletionMarkers
    clock: Callable[[], datetime]


@dataclass(frozen=True)
class Caller:
    player_id: str
    request_id: str | None = None


def _inbox(services: LiveServices, caller: Caller, message: dict[str, Any]) -> None:
    _inbox_of(services, caller.player_id, message)


def _inbox_of(services: LiveServices, player_id: str, message: dict[str, Any]) -> None:
    services.sink.publish(topics.player_inbox(player_id), message)


def _broadcast(services: LiveServices, game_id: str, message: dict[str, Any]) -> None:
    services.sink.publish(topics.game_events(game_id), message)


def _name(board: tuple[ScoreLine, ...], player_id: str) -> dict[str, str]:
    line = next((line for line in board if line.player_id == player_id), None)
    return protocol.player(player_id, line.display_name if line else player_id)


# ------------------------------------------------------------------ rebuild


def rebuild(services: LiveServices, game_id: str) -> bool:
    """Put a started (or lobby) game back into Redis from its durable record."""
    record = services.records.get(game_id)
    if record is None or record.status == ENDED:
        return False
    plan = GamePlan.from_json(record.plan_json)
    meta = {"status": record.status, "host_id": record.host_id,
            "q_index": str(record.question_index), "seq": str(record.seq + RESEQ_GAP),
            "count": str(len(plan.questions))}
    if record.question:
        meta.update({"qid": record.question["qid"], "open": "1",
                     "deadline_ms": record.question["deadline_ms"],
                     "limit_s": record.question["limit_s"],
                     "answer": record.question["answer"], "q_seq": record.question["q_seq"]})
    meta.update({f"winner:{qid}": player for qid, player in record.winners.items()})
    scores = record.scores()
    board = [ScoreLine(player_id, name, scores.get(player_id, 0))
             for player_id, name in record.players.items()]
    services.store.restore(plan, meta, board)
    return True


def _rebuilt(services: LiveServices, game_id: str, action: Callable[[], T]) -> T:
    """``action``, once more after a rebuild if Redis lost the game."""
    try:
        return action()
    except errors.GameNotFound:
        if not rebuild(services, game_id):
            raise
    return action()


# ------------------------------------------------------------------ host commands


def _game_id_for(host_id: str, request_id: str | None) -> str:
    """A redelivered open_game (same request id) names the same game: it opens once."""
    if request_id is None:
        return secrets.token_hex(8)
    return hashlib.sha256(f"{host_id}\n{request_id}".encode()).hexdigest()[:16]


def open_game(services: LiveServices, caller: Caller, quiz_id: str) -> str:
    quiz = services.quizzes.get(quiz_id)
    if quiz is None:
        raise QuizNotFound("no such quiz")
    if quiz.owner_id != caller.player_id:
        raise errors.NotOwner("a live game is opened from one of your own quizzes")
    if quiz.document.mode is not Mode.LIVE:
        raise errors.ModeNotLive("that quiz is not a live-scoreboard quiz")
    game_id = _game_id_for(caller.player_id, caller.request_id)
    plan = plan_from_quiz(quiz, game_id=game_id, host_id=caller.player_id)
    created = services.records.create(GameRecord(
        game_id=game_id, host_id=caller.player_id, quiz_id=quiz.quiz_id,
        quiz_name=plan.quiz_name, status=LOBBY, plan_json=plan.to_json()))
    if created:
        services.store.create(plan)
    _inbox(services, caller, protocol.game_opened(
        game_id, caller.request_id, name=plan.quiz_name, count=len(plan.questions)))
    return game_id


def start_game(services: LiveServices, caller: Caller, game_id: str) -> None:
    started = _rebuilt(services, game_id, lambda: services.store.start(game_id, caller.player_id))
    services.records.started(game_id, started.seq)
    _broadcast(services, game_id, protocol.game_started(game_id, started.seq,
                                                        players=started.players))


def next_question(services: LiveServices, caller: Caller, game_id: str) -> None:
    snapshot = _rebuilt(services, game_id, lambda: services.store.snapshot(game_id))
    if snapshot.meta.get("host_id") != caller.player_id:
        raise errors.NotHost("only the game's host may do that")
    plan = services.store.plan(game_id)
    asked = services.store.ask(plan, host_id=caller.player_id, request_id=caller.request_id,
                               expected_index=snapshot.question_index)
    if asked.repeat:  # a redelivery: persist and send the current question again, same seq
        _announce_current(services, plan, services.store.snapshot(game_id))
        return
    current = plan.questions[asked.index]
    services.records.asked(game_id, asked.index, {
        "qid": current.question_id, "deadline_ms": str(asked.deadline_ms),
        "limit_s": str(current.time_limit_seconds), "answer": current.answer,
        "q_seq": str(asked.seq)}, asked.seq)
    if asked.previous_question_id:
        who = (_name(snapshot.board, asked.previous_winner) if asked.previous_winner else None)
        _broadcast(services, game_id, protocol.question_ended(
            game_id, asked.previous_seq, question_id=asked.previous_question_id, who=who,
            correct_answer=asked.previous_answer))
    _broadcast(services, game_id, protocol.question(game_id, asked.seq, current,
                                                    asked.deadline_ms))


def _announce_current(services: LiveServices, plan: GamePlan, snapshot: Snapshot) -> None:
    index = snapshot.question_index
    if index < 0:
        return
    current, meta = plan.questions[index], snapshot.meta
    seq, deadline = int(meta["q_seq"]), int(meta["deadline_ms"])
    services.records.asked(plan.game_id, index, {
        "qid": current.question_id, "deadline_ms": str(deadline),
        "limit_s": str(current.time_limit_seconds), "answer": current.answer,
        "q_seq": str(seq)}, seq)
    _broadcast(services, plan.game_id, protocol.question(plan.game_id, seq, current, deadline))


def end_game(services: LiveServices, caller: Caller, game_id: str) -> None:
    try:
        ended = _rebuilt(services, game_id,
                         lambda: services.store.end(game_id, caller.player_id))
    except errors.GameNotFound:
        _finish_from_record(services, caller, game_id)
        return
    plan = services.store.plan(game_id)
    scores = {line.player_id: line.score for line in ended.board}
    services.records.ended(game_id, ended.question_index, scores, ended.seq)
    _publish_results(services, plan, ended.board, asked=ended.question_index + 1)
    services.records.results_sent(game_id)
    if ended.question_seq:
        who = _name(ended.board, ended.question_winner) if ended.question_winner else None
        _broadcast(services, game_id, protocol.question_ended(
            game_id, ended.question_seq, question_id=ended.question_id, who=who,
            correct_answer=ended.correct_answer))
    _broadcast(services, game_id, protocol.game_ended(game_id, ended.seq, board=ended.board))
    services.store.remove(game_id, [q.question_id for q in plan.questions])


def _finish_from_record(services: LiveServices, caller: Caller, game_id: str) -> None:
    """An ended game already gone from Redis: a redelivered end_game sends the end again."""
    record = services.records.get(game_id)
    if record is None:
        raise errors.GameNotFound("no such game")
    if record.host_id != caller.player_id:
        raise errors.NotHost("only the game's host may do that")
    scores = record.scores()
    board = tuple(ScoreLine(p, name, scores.get(p, 0)) for p, name in record.players.items())
    if not record.results_published:
        plan = GamePlan.from_json(record.plan_json)
        _publish_results(services, plan, board, asked=record.question_index + 1)
        services.records.results_sent(game_id)
    _broadcast(services, game_id, protocol.game_ended(game_id, record.seq, board=board))


def _publish_results(services: LiveServices, plan: GamePlan, board: tuple[ScoreLine, ...],
                     *, asked: int) -> None:
    """One ``PlayerResult`` per player and one ``GameCredits`` (the owner's and the host's
    credits for the whole game), in batches; the writers are idempotent on both."""
    completed_at = services.clock().isoformat()
    top = max((line.score for line in board), default=0)
    results = []
    for line in board:
        ranked = services.markers.first_completion(
            quiz_id=plan.quiz_id, player_id=line.player_id, game_id=plan.game_id,
            completed_at=completed_at)
        results.append(PlayerResult(
            source="live", game_id=plan.game_id, quiz_id=plan.quiz_id,
            quiz_owner_id=plan.quiz_owner_id, host_id=plan.host_id,
            player_id=line.player_id, username=line.display_name, score=line.score,
            correct=line.score, total=max(asked, 0),
            experience=line.score * EXPERIENCE_PER_CORRECT_ANSWER if ranked else 0,
            ranked=ranked, won=top > 0 and line.score == top, completed_at=completed_at,
            credit_owner_and_host=False,  # once per game, below: not once per player
        ))
    credits = game_credits(
        source="live", game_id=plan.game_id, quiz_id=plan.quiz_id,
        quiz_owner_id=plan.quiz_owner_id, host_id=plan.host_id, results=results,
        completed_at=completed_at)
    services.publisher.publish_game(results, credits)


# ------------------------------------------------------------------ player actions


def join_game(services: LiveServices, caller: Caller, game_id: str) -> None:
    name = services.profiles.display_name(caller.player_id) or caller.player_id
    joined = _rebuilt(services, game_id,
                      lambda: services.store.join(game_id, caller.player_id, name))
    if joined.new:
        services.records.add_player(game_id, caller.player_id, name, joined.seq)
    snapshot = services.store.snapshot(game_id)
    question = None
    if snapshot.meta.get("open") == "1" and snapshot.now_ms <= int(
            snapshot.meta.get("deadline_ms", "0")):
        plan = services.store.plan(game_id)
        question = protocol.open_question(plan.questions[snapshot.question_index],
                                          int(snapshot.meta["deadline_ms"]))
    _inbox(services, caller, protocol.joined(game_id, caller.request_id, board=snapshot.board,
                                             status=snapshot.status, question=question))
    if joined.new and joined.host_id:
        # to the host alone, as in hosted games: a broadcast per join would cost N² deliveries
        _inbox_of(services, joined.host_id, protocol.player_joined(
            game_id, joined.seq, who=protocol.player(caller.player_id, name),
            players=joined.players))


def answer(services: LiveServices, caller: Caller, game_id: str, question_id: str,
           given: str) -> str:
    """One Redis round trip decides; the one winning answer is persisted before it is told."""
    normalized = normalize_answer(given)
    verdict = _rebuilt(services, game_id, lambda: services.store.answer(
        game_id, player_id=caller.player_id, question_id=question_id, normalized=normalized))
    if verdict.verdict == "correct":
        services.records.won(game_id, question_id, caller.player_id, verdict.seq)
        _broadcast(services, game_id, protocol.winner(
            game_id, verdict.seq, question_id=question_id,
            who=_name(verdict.board, caller.player_id), correct_answer=verdict.correct_answer,
            board=verdict.board))
    _inbox(services, caller, protocol.verdict(
        game_id, caller.request_id, question_id=question_id, outcome=verdict.verdict,
        correct_answer=verdict.correct_answer))
    return verdict.verdict
