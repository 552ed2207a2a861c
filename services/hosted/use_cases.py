"""Hosted games: the host's and the players' actions (docs/websocket.md, PRODUCT.md).

Rules enforced here and in the store's scripts:
- only the game's host sends host actions (``not_host``; nothing changes);
- only the game's players answer (``not_in_game``), once per question, before the deadline of
  the server clock; points come from the server (scoring.py), never from the client;
- questions go out without answers; casual reveals one question, competitive a whole round;
- late joiners enter at the current question with score 0; ``resume`` re-attaches a seat;
- the end publishes one PlayerResult per player to both topics and one GameCredits (the quiz
  owner's and the host's credits for the whole game) to the progress topic; the game is
  unlisted and its live state expires.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.core.errors import QuizNotFound, RateLimited, ServiceUnavailable
from services.core.events import EXPERIENCE_PER_CORRECT_ANSWER, PlayerResult, game_credits
from services.hosted import errors, protocol
from services.hosted.dynamo import JoinCodeTaken
from services.hosted.game import HOSTED_MODES, GamePlan, GameState, plan_game
from services.hosted.ports import (
    CompletionMarkers,
    ConnectionRecord,
    Connections,
    GameDirectory,
    Notifier,
    QuizSource,
    ResultPublisher,
)
from services.hosted.store import RedisGameStore
from services.quizzes.normalize import normalize_answer

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a room
JOIN_CODE_LENGTH = 6
_JOIN_CODE_ATTEMPTS = 5


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_game_id() -> str:
    return "g" + secrets.token_hex(8)


@dataclass(frozen=True)
class HostedServices:
    store: RedisGameStore
    connections: Connections
    notifier: Notifier
    directory: GameDirectory
    quizzes: QuizSource
    publisher: ResultPublisher
    markers: CompletionMarkers
    clock: Callable[[], datetime]
    new_game_id: Callable[[], str] = new_game_id
    new_join_code: Callable[[], str] = new_join_code


@dataclass(frozen=True)
class Caller:
    """The connection an action came on, and who it is (from the verified token only)."""

    connection_id: str
    player_id: str
    username: str
    token_expires_at: int
    request_id: str | None = None


# ------------------------------------------------------------------ connections


def connect(services: HostedServices, record: ConnectionRecord) -> None:
    services.connections.add(record)


def disconnect(services: HostedServices, connection_id: str) -> None:
    services.connections.remove(connection_id)


def admit(services: HostedServices, caller: Caller) -> None:
    """Before any action: the token still valid, the connection within its rate limit."""
    if caller.token_expires_at <= services.clock().timestamp():
        raise errors.TokenExpired("your token has expired; reconnect with a fresh one")
    if not services.store.allow_action(caller.connection_id):
        raise RateLimited("more than 10 actions in one second; slow down")


def close_connection(services: HostedServices, connection_id: str) -> None:
    services.notifier.close(connection_id)


# ------------------------------------------------------------------ host actions


def open_game(services: HostedServices, caller: Caller, quiz_id: str) -> None:
    quiz = services.quizzes.get(quiz_id)
    if quiz is None:
        raise QuizNotFound(f"no quiz {quiz_id}")
    if quiz.owner_id != caller.player_id:
        raise errors.NotOwner("you can host only your own quizzes")
    if quiz.document.mode.value not in HOSTED_MODES:
        raise errors.ModeNotHosted("only casual and competitive quizzes are hosted")
    game_id = services.new_game_id()
    join_code = _register(services, game_id, caller, quiz.quiz_id, quiz.document.name,
                          quiz.document.mode.value)
    plan = plan_game(quiz, game_id=game_id, host_id=caller.player_id, join_code=join_code)
    services.store.create(plan, caller.connection_id)
    _reply(services, caller, game_id, "game_opened", join_code=join_code,
           quiz=protocol.quiz_summary(plan))


def _register(services: HostedServices, game_id: str, caller: Caller, quiz_id: str,
              quiz_name: str, mode: str) -> str:
    for _attempt in range(_JOIN_CODE_ATTEMPTS):
        join_code = services.new_join_code()
        try:
            services.directory.register(game_id=game_id, join_code=join_code,
                                        host_id=caller.player_id, quiz_id=quiz_id,
                                        quiz_name=quiz_name, mode=mode)
            return join_code
        except JoinCodeTaken:
            continue
    raise ServiceUnavailable("could not draw a free join code; try again")


def start_game(services: HostedServices, caller: Caller, game_id: str) -> None:
    _, state = _as_host(services, caller, game_id)
    services.store.start(game_id)
    _broadcast(services, game_id, "game_started", players=len(state.players))


def next_question(services: HostedServices, caller: Caller, game_id: str) -> None:
    plan, state = _as_host(services, caller, game_id)
    if state.stored_status != "started":
        raise errors.InvalidState(f"the game is {state.status.value}")
    index = state.question_index + 1
    if index >= len(plan.questions):
        raise errors.NoMoreQuestions("that was the last question; end the game")
    question = plan.question(index)
    asked = services.store.ask(
        game_id, expected_index=state.question_index, index=index,
        question_id=question.question_id, time_limit_seconds=question.time_limit_seconds,
        accepted=question.accepted(),
    )
    _broadcast(services, game_id, "question", question=question.public(),
               time_limit_seconds=question.time_limit_seconds, deadline_ms=asked.deadline_ms)


def close_question(services: HostedServices, caller: Caller, game_id: str) -> None:
    _as_host(services, caller, game_id)
    question_id, answered = services.store.close(game_id)
    _broadcast(services, game_id, "question_closed", question_id=question_id, answered=answered)


def reveal(services: HostedServices, caller: Caller, game_id: str) -> None:
    plan, state = _as_host(services, caller, game_id)
    if state.question_index < 0 or state.stored_status == "lobby":
        raise errors.InvalidState("no question has been asked yet")
    if state.question_is_open:
        raise errors.InvalidState("the question is still open; close it first")
    if not plan.ends_round(state.question_index):
        raise errors.InvalidState("the round is not finished; answers are revealed per round")
    shown_questions = [question for question in plan.round_of(state.question_index)
                       if question.index <= state.question_index]
    # The standings take a question's points at its reveal, not at the answer: until then no
    # score, rank or count a player is sent says whether an answer was right.
    services.store.apply(game_id, [question.question_id for question in shown_questions])
    reveals = [
        protocol.revealed(question, services.store.answers(game_id, question.question_id))
        for question in shown_questions
    ]

    def with_yours(player_id: str) -> dict[str, Any]:
        return {"questions": [{**shown.shown, "yours": shown.yours.get(player_id)}
                              for shown in reveals]}

    _broadcast(services, game_id, "reveal", personal=with_yours,
               questions=[shown.shown for shown in reveals])


def show_scoreboard(services: HostedServices, caller: Caller, game_id: str) -> None:
    _, state = _as_host(services, caller, game_id)
    _broadcast_standings(services, game_id, "scoreboard", state)


def end_game(services: HostedServices, caller: Caller, game_id: str) -> None:
    """Ends once; a retried end_game publishes again (the writers count each result once)."""
    plan, asked = _as_host(services, caller, game_id, ended_too=True)
    services.store.end(game_id)
    # Questions never revealed count too: the final standings are the whole game.
    services.store.apply(game_id, [question.question_id
                                   for question in plan.questions[:asked.question_index + 1]])
    state = services.store.state(game_id)
    _broadcast_standings(services, game_id, "game_ended", state)
    _publish_results(services, plan, state)
    services.directory.unlist(game_id, plan.join_code)
    services.store.expire(plan)


def _publish_results(services: HostedServices, plan: GamePlan, state: GameState) -> None:
    completed_at = services.clock().isoformat()
    correct = services.store.correct_counts(plan.game_id)
    asked = max(state.question_index + 1, 0)
    top = max(state.scores.values(), default=0)
    players = sorted(state.scores)
    ranked = services.markers.first_completions(
        quiz_id=plan.quiz_id, game_id=plan.game_id, player_ids=players,
        completed_at=completed_at,
    )
    results = []
    for player_id in players:
        score, right = state.scores[player_id], correct.get(player_id, 0)
        results.append(PlayerResult(
            source="hosted", game_id=plan.game_id, quiz_id=plan.quiz_id,
            quiz_owner_id=plan.quiz_owner_id, host_id=plan.host_id, player_id=player_id,
            username=state.players.get(player_id, player_id), score=score, correct=right,
            total=asked,
            experience=right * EXPERIENCE_PER_CORRECT_ANSWER if ranked[player_id] else 0,
            ranked=ranked[player_id], won=top > 0 and score == top, completed_at=completed_at,
            credit_owner_and_host=False,  # once per game, below: not once per player
        ))
    credits = game_credits(
        source="hosted", game_id=plan.game_id, quiz_id=plan.quiz_id,
        quiz_owner_id=plan.quiz_owner_id, host_id=plan.host_id, results=results,
        completed_at=completed_at)
    services.publisher.publish_game(results, credits)


# ------------------------------------------------------------------ player actions


def join_game(services: HostedServices, caller: Caller, join_code: str) -> None:
    game_id = services.directory.game_for_code(join_code.upper())
    if game_id is None:
        raise errors.JoinCodeNotFound("no running game has that code")
    joined = services.store.join(game_id, player_id=caller.player_id,
                                 display_name=caller.username,
                                 connection_id=caller.connection_id)
    plan, state = _read(services, game_id)
    you = protocol.player(caller.player_id, caller.username)
    _reply(services, caller, game_id, "joined", player=you,
           state=protocol.snapshot(plan, state, player_id=caller.player_id,
                                   answered=_answered(services, plan, state, caller.player_id),
                                   correct=services.store.correct_count(game_id,
                                                                        caller.player_id)))
    _to_host(services, game_id, "player_joined", seq=joined.seq, player=you,
             players=joined.players)


def answer(services: HostedServices, caller: Caller, game_id: str, question_id: str,
           given: str) -> None:
    outcome = services.store.answer(
        game_id, player_id=caller.player_id, question_id=question_id, answer=given,
        normalized=normalize_answer(given),
    )
    _reply(services, caller, game_id, "answer_accepted", question_id=question_id)
    if not outcome.duplicate:
        _to_host(services, game_id, "answer_progress", seq=outcome.seq,
                 question_id=question_id, answered=outcome.answered, players=outcome.players)


def leave_game(services: HostedServices, caller: Caller, game_id: str) -> None:
    left = services.store.leave(game_id, caller.player_id)
    _to_host(services, game_id, "player_left", seq=left.seq,
             player=protocol.player(caller.player_id, left.display_name), players=left.players)


def resume(services: HostedServices, caller: Caller, game_id: str) -> None:
    role = services.store.resume(game_id, player_id=caller.player_id,
                                 connection_id=caller.connection_id)
    plan, state = _read(services, game_id)
    player_id = caller.player_id if role == "player" else None
    answered = _answered(services, plan, state, caller.player_id) if player_id else None
    correct = services.store.correct_count(game_id, player_id) if player_id else 0
    _reply(services, caller, game_id, "resumed", role=role,
           state=protocol.snapshot(plan, state, player_id=player_id, answered=answered,
                                   correct=correct))


# ------------------------------------------------------------------ helpers


def _read(services: HostedServices, game_id: str) -> tuple[GamePlan, GameState]:
    state = services.store.state(game_id)
    return services.store.plan(game_id), state


def _as_host(services: HostedServices, caller: Caller, game_id: str, *,
             ended_too: bool = False) -> tuple[GamePlan, GameState]:
    plan, state = _read(services, game_id)
    if state.host_id != caller.player_id:
        raise errors.NotHost("only the game's host can do that")
    if state.stored_status == "ended" and not ended_too:
        raise errors.InvalidState("the game has ended")
    return plan, state


def _answered(services: HostedServices, plan: GamePlan, state: GameState,
              player_id: str) -> bool | None:
    if state.question_index < 0 or not state.question_is_open:
        return None
    question_id = plan.question(state.question_index).question_id
    return services.store.answered(plan.game_id, question_id, player_id)


def _reply(services: HostedServices, caller: Caller, game_id: str, kind: str,
           **fields: Any) -> None:
    seq = services.store.next_seq(game_id)
    message = protocol.message(kind, game_id, seq, caller.request_id, **fields)
    services.notifier.send([caller.connection_id], message)


def _to_host(services: HostedServices, game_id: str, kind: str, *, seq: int | None = None,
             **fields: Any) -> None:
    host_id, connection = services.store.host_connection(game_id)
    if connection is None:
        return
    if seq is None:
        seq = services.store.next_seq(game_id)
    report = services.notifier.send([connection], protocol.message(kind, game_id, seq, **fields))
    _detach_gone(services, game_id, {host_id: connection}, report.gone)


def _broadcast_standings(services: HostedServices, game_id: str, kind: str,
                         state: GameState) -> None:
    """The top of the standings to everyone, and to each player their own line as ``you``."""
    ranked = protocol.standings(state, services.store.correct_counts(game_id))

    def with_you(player_id: str) -> dict[str, Any]:
        line = ranked.lines.get(player_id)
        return {"you": line} if line is not None else {}

    _broadcast(services, game_id, kind, personal=with_you, **ranked.board)


def _broadcast(services: HostedServices, game_id: str, kind: str, *,
               personal: Callable[[str], dict[str, Any]] | None = None, **fields: Any) -> None:
    """One message to every seat; with ``personal``, each player's copy also carries (or has
    replaced) the fields ``personal(player_id)`` gives, and the host's has ``fields`` alone."""
    seats = services.store.connections(game_id)
    seq = services.store.next_seq(game_id)
    message = protocol.message(kind, game_id, seq, **fields)
    host_id, _connection = services.store.host_connection(game_id)
    # The host hears first. Otherwise a fast player's answer could reach the host (as an
    # answer_progress, with a later seq) before the host's own copy of the question, which the
    # host would then drop as stale and never see the question open.
    host_seat = {host_id: seats[host_id]} if host_id in seats else {}
    player_seats = {seat: connection for seat, connection in seats.items() if seat != host_id}
    if host_seat:
        report = services.notifier.send(list(host_seat.values()), message)
        _detach_gone(services, game_id, host_seat, report.gone)
    if not player_seats:
        return
    if personal is None:
        report = services.notifier.send(list(player_seats.values()), message)
    else:
        report = services.notifier.send_each({
            connection: {**message, **personal(seat)} for seat, connection in player_seats.items()
        })
    _detach_gone(services, game_id, player_seats, report.gone)


def _detach_gone(services: HostedServices, game_id: str, seats: dict[str, str],
                 gone: Sequence[str]) -> None:
    for seat, connection in seats.items():
        if connection in gone:
            services.store.detach(game_id, seat, connection)
