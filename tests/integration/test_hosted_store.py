"""The Redis scripts of the live game state, on a real Redis (QUALITY.md, "Duplicates and
races", "Cheating and access", "Faults")."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from services.core.errors import ServiceUnavailable
from services.hosted import errors
from services.hosted.game import GamePlan, plan_game
from services.hosted.scoring import points_for
from services.hosted.store import Keys, RedisGameStore
from services.quizzes.model import Quiz, QuizInput
from services.quizzes.normalize import normalize_answer

pytestmark = pytest.mark.integration

HOST = "host-1"


@pytest.fixture(scope="module")
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def store(client: redis.Redis) -> RedisGameStore:
    return RedisGameStore(client)


def _plan(limit: int = 20) -> GamePlan:
    document = QuizInput.model_validate({
        "name": "Capitals", "category": "geo", "mode": "casual", "time_limit_seconds": limit,
        "questions": [
            {"type": "open", "text": "Capital of Italy?", "answer": "Rome",
             "alternatives": ["Roma"]},
            {"type": "multiple_choice", "text": "Capital of France?",
             "options": ["Paris", "Lyon"], "answer": "Paris"},
        ],
    })
    quiz = Quiz(quiz_id="quiz1", owner_id=HOST, owner_name="host", created_at="t",
                updated_at="t", document=document)
    return plan_game(quiz, game_id="g" + uuid.uuid4().hex[:12], host_id=HOST,
                     join_code="ABCDEF")


def _started(store: RedisGameStore, players: int, limit: int = 20) -> GamePlan:
    plan = _plan(limit)
    store.create(plan, "conn-host")
    for n in range(players):
        store.join(plan.game_id, player_id=f"p{n}", display_name=f"player {n}",
                   connection_id=f"conn-{n}")
    store.start(plan.game_id)
    return plan


def _ask(store: RedisGameStore, plan: GamePlan, index: int = 0, expected: int = -1,
         limit: int | None = None) -> None:
    question = plan.question(index)
    store.ask(plan.game_id, expected_index=expected, index=index,
              question_id=question.question_id,
              time_limit_seconds=limit or question.time_limit_seconds,
              accepted=question.accepted())


def _answer(store: RedisGameStore, plan: GamePlan, player: str, given: str,
            question_id: str = "q1"):
    return store.answer(plan.game_id, player_id=player, question_id=question_id, answer=given,
                        normalized=normalize_answer(given))


def test_fifty_players_answering_at_once_each_get_one_answer_and_consistent_points(
        store: RedisGameStore, client: redis.Redis) -> None:
    plan = _started(store, 50)
    _ask(store, plan)
    barrier = threading.Barrier(50)

    def answer(n: int) -> None:
        barrier.wait()
        _answer(store, plan, f"p{n}", "ROME!" if n % 2 == 0 else "Paris")

    with ThreadPoolExecutor(50) as pool:
        list(pool.map(answer, range(50)))
    assert store.apply(plan.game_id, ["q1"]) == 1  # the reveal
    state = store.state(plan.game_id)
    recorded = client.hgetall(Keys(plan.game_id).answers("q1"))
    assert len(recorded) == 50
    asked_ms = state.asked_ms
    for n in range(50):
        first = json.loads(recorded[f"p{n}"])
        expected = points_for(first["at_ms"] - asked_ms, 20, correct=n % 2 == 0)
        assert first["points"] == expected == state.scores[f"p{n}"]
        assert (expected >= 500) == (n % 2 == 0)
    assert store.correct_counts(plan.game_id) == {f"p{n}": 1 for n in range(0, 50, 2)}


def test_the_standings_take_a_questions_points_at_its_reveal_once(
        store: RedisGameStore) -> None:
    """Until the reveal no score, rank or count says whether an answer was right; a second
    reveal (or the end after it) adds nothing; a player who left is not brought back."""
    plan = _started(store, 3)
    _ask(store, plan)
    for player, given in (("p0", "Rome"), ("p1", "Paris"), ("p2", "Roma")):
        _answer(store, plan, player, given)
    store.leave(plan.game_id, "p2")
    assert store.state(plan.game_id).scores == {"p0": 0, "p1": 0}
    assert store.correct_counts(plan.game_id) == {}

    assert store.apply(plan.game_id, ["q1"]) == 1
    earned = {a.player_id: a.points for a in store.answers(plan.game_id, "q1")}
    assert store.state(plan.game_id).scores == {"p0": earned["p0"], "p1": 0}
    assert store.correct_counts(plan.game_id) == {"p0": 1}
    assert store.apply(plan.game_id, ["q1"]) == 0  # revealed again, or ended: nothing more
    assert store.state(plan.game_id).scores == {"p0": earned["p0"], "p1": 0}
    assert store.correct_counts(plan.game_id) == {"p0": 1}


def test_one_player_racing_ten_answers_records_exactly_one(store: RedisGameStore) -> None:
    plan = _started(store, 1)
    _ask(store, plan)
    barrier = threading.Barrier(10)

    def answer(n: int) -> str:
        barrier.wait()
        try:
            _answer(store, plan, "p0", "Rome" if n == 0 else f"Wrong {n}")
            return "ok"
        except errors.AlreadyAnswered:
            return "refused"

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(answer, range(10)))
    assert outcomes.count("ok") == 1
    assert len(store.answers(plan.game_id, "q1")) == 1


def test_answer_counts_rise_with_their_seq_however_answers_race(store: RedisGameStore) -> None:
    """The host keeps the answer_progress with the highest seq: it must carry the highest count,
    so the seq is taken in the same atomic step as the count."""
    plan = _started(store, 30)
    _ask(store, plan)
    barrier = threading.Barrier(30)

    def answer(n: int) -> tuple[int, int]:
        barrier.wait()
        outcome = _answer(store, plan, f"p{n}", "Rome")
        return outcome.seq, outcome.answered

    with ThreadPoolExecutor(30) as pool:
        progress = sorted(pool.map(answer, range(30)))
    assert [answered for _seq, answered in progress] == list(range(1, 31))
    assert len({seq for seq, _answered in progress}) == 30
    assert store.next_seq(plan.game_id) > progress[-1][0]


def test_lobby_counts_rise_with_their_seq_however_joins_race(store: RedisGameStore) -> None:
    """The host starts when a player_joined says everyone came, and drops one whose seq is not
    above the last: the count and its seq are one atomic step, or the last join's message can
    arrive first with the lower seq and the host waits out the lobby."""
    plan = _plan()
    store.create(plan, "conn-host")
    barrier = threading.Barrier(30)

    def join(n: int) -> tuple[int, int]:
        barrier.wait()
        joined = store.join(plan.game_id, player_id=f"p{n}", display_name=f"player {n}",
                            connection_id=f"conn-{n}")
        return joined.seq, joined.players

    with ThreadPoolExecutor(30) as pool:
        lobby = sorted(pool.map(join, range(30)))
    assert [players for _seq, players in lobby] == list(range(1, 31))
    assert len({seq for seq, _players in lobby}) == 30

    def leave(n: int) -> tuple[int, int]:
        barrier.wait()
        left = store.leave(plan.game_id, f"p{n}")
        return left.seq, left.players

    with ThreadPoolExecutor(30) as pool:
        leaving = sorted(pool.map(leave, range(30)))
    assert leaving[0][0] > lobby[-1][0]
    assert [players for _seq, players in leaving] == list(range(29, -1, -1))
    assert store.next_seq(plan.game_id) > leaving[-1][0]


def test_a_replayed_answer_gets_the_first_verdict_and_a_change_is_refused(
        store: RedisGameStore) -> None:
    plan = _started(store, 1)
    _ask(store, plan)
    first = _answer(store, plan, "p0", "Rome")
    assert not first.duplicate and first.answered == 1
    for _ in range(10):
        assert _answer(store, plan, "p0", " rome ").duplicate
    with pytest.raises(errors.AlreadyAnswered):
        _answer(store, plan, "p0", "Paris")
    (recorded,) = store.answers(plan.game_id, "q1")
    assert recorded.answer == "Rome" and recorded.correct and recorded.points >= 500
    store.apply(plan.game_id, ["q1"])
    assert store.state(plan.game_id).scores["p0"] == recorded.points


def test_an_answer_after_the_deadline_is_refused_with_no_points(store: RedisGameStore) -> None:
    plan = _started(store, 1)
    _ask(store, plan, limit=1)
    time.sleep(1.1)
    with pytest.raises(errors.DeadlinePassed):
        _answer(store, plan, "p0", "Rome")
    assert store.state(plan.game_id).scores["p0"] == 0
    assert store.answers(plan.game_id, "q1") == []


@pytest.mark.parametrize("when", ["before_asking", "future_question", "closed", "ended"])
def test_an_answer_to_a_question_that_is_not_open_is_refused(store: RedisGameStore,
                                                             when: str) -> None:
    plan = _started(store, 1)
    question_id = "q1"
    if when == "future_question":
        _ask(store, plan)
        question_id = "q2"
    elif when == "closed":
        _ask(store, plan)
        store.close(plan.game_id)
    elif when == "ended":
        _ask(store, plan)
        store.end(plan.game_id)
    with pytest.raises(errors.QuestionNotOpen):
        _answer(store, plan, "p0", "Rome", question_id)
    assert store.state(plan.game_id).scores["p0"] == 0


def test_only_the_games_players_may_answer(store: RedisGameStore) -> None:
    plan = _started(store, 1)
    _ask(store, plan)
    for outsider in ("stranger", HOST):
        with pytest.raises(errors.NotInGame):
            _answer(store, plan, outsider, "Rome")
    assert store.answers(plan.game_id, "q1") == []


def test_a_late_joiner_enters_at_the_current_question_with_score_zero(
        store: RedisGameStore) -> None:
    plan = _started(store, 1)
    _ask(store, plan)
    joined = store.join(plan.game_id, player_id="late", display_name="late",
                        connection_id="conn-late")
    assert joined.new and joined.players == 2
    assert store.state(plan.game_id).scores["late"] == 0
    assert not _answer(store, plan, "late", "Roma").duplicate
    store.apply(plan.game_id, ["q1"])
    assert store.state(plan.game_id).scores["late"] >= 500


def test_joining_again_keeps_the_seat_and_the_score(store: RedisGameStore) -> None:
    plan = _started(store, 1)
    _ask(store, plan)
    _answer(store, plan, "p0", "Rome")
    store.apply(plan.game_id, ["q1"])
    score = store.state(plan.game_id).scores["p0"]
    again = store.join(plan.game_id, player_id="p0", display_name="x", connection_id="conn-2")
    assert not again.new
    assert store.state(plan.game_id).scores["p0"] == score
    assert store.connections(plan.game_id)["p0"] == "conn-2"
    assert store.resume(plan.game_id, player_id="p0", connection_id="conn-3") == "player"
    assert store.resume(plan.game_id, player_id=HOST, connection_id="conn-h2") == "host"
    with pytest.raises(errors.NotInGame):
        store.resume(plan.game_id, player_id="stranger", connection_id="conn-x")


def test_two_racing_asks_ask_one_question(store: RedisGameStore) -> None:
    plan = _started(store, 1)
    barrier = threading.Barrier(5)

    def ask(_: int) -> str:
        barrier.wait()
        try:
            _ask(store, plan)
            return "asked"
        except errors.InvalidState:
            return "refused"

    with ThreadPoolExecutor(5) as pool:
        outcomes = list(pool.map(ask, range(5)))
    assert outcomes.count("asked") == 1
    assert store.state(plan.game_id).question_index == 0


def test_start_and_end_happen_once(store: RedisGameStore) -> None:
    plan = _started(store, 1)
    with pytest.raises(errors.InvalidState):
        store.start(plan.game_id)
    assert store.end(plan.game_id) is True
    assert store.end(plan.game_id) is False
    store.expire(plan, seconds=1)
    time.sleep(1.2)
    with pytest.raises(errors.GameNotFound):
        store.state(plan.game_id)


def test_detach_frees_only_the_seats_current_connection(store: RedisGameStore) -> None:
    plan = _started(store, 1)
    store.detach(plan.game_id, "p0", "some-old-connection")
    assert store.connections(plan.game_id)["p0"] == "conn-0"
    store.detach(plan.game_id, "p0", "conn-0")
    assert "p0" not in store.connections(plan.game_id)


def test_the_rate_limit_allows_ten_actions_per_second(store: RedisGameStore) -> None:
    connection = "rl-" + uuid.uuid4().hex
    # Start at the beginning of a second so all eleven land in one window.
    time.sleep(1 - time.time() % 1)
    allowed = [store.allow_action(connection) for _ in range(11)]
    assert allowed == [True] * 10 + [False]
    assert store.allow_action("rl-" + uuid.uuid4().hex)


def test_an_unreachable_redis_is_a_retryable_error_never_a_silent_accept() -> None:
    dead = RedisGameStore(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5))
    with pytest.raises(ServiceUnavailable) as refused:
        dead.answer("g1", player_id="p0", question_id="q1", answer="Rome", normalized="rome")
    assert refused.value.retryable
    with pytest.raises(ServiceUnavailable):
        dead.allow_action("c1")
