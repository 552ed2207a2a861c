"""The live game's Redis scripts on a real Redis: one winner per question under a 50-player
race (QUALITY.md, "Duplicates and races"), repeats, late and foreign answers, and an unreachable
Redis as a retryable error."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from services.core.errors import ServiceUnavailable
from services.live import errors
from services.live.game import GamePlan, plan_from_quiz
from services.live.store import Keys, RedisLiveStore
from services.quizzes.model import Quiz, QuizInput

pytestmark = pytest.mark.integration

HOST = "host-1"


@pytest.fixture(scope="module")
def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def store(client: redis.Redis) -> RedisLiveStore:
    return RedisLiveStore(client)


def make_plan(questions: int = 2, limit: int = 20) -> GamePlan:
    document = QuizInput.model_validate({
        "name": "Capitals", "category": "geo", "mode": "live", "time_limit_seconds": limit,
        "questions": [
            {"type": "open", "text": f"Capital of Italy ({n})?", "answer": "Rome",
             "alternatives": ["Roma"]}
            for n in range(questions)
        ],
    })
    quiz = Quiz(quiz_id="quiz1", owner_id=HOST, owner_name="host", created_at="t",
                updated_at="t", document=document)
    return plan_from_quiz(quiz, game_id="g" + uuid.uuid4().hex[:12], host_id=HOST)


def started(store: RedisLiveStore, players: int, questions: int = 2,
            limit: int = 20) -> GamePlan:
    plan = make_plan(questions, limit)
    store.create(plan)
    for n in range(players):
        store.join(plan.game_id, f"p{n}", f"player {n}")
    store.start(plan.game_id, HOST)
    return plan


def test_fifty_players_answering_correctly_at_once_1000_rounds_one_winner_each(
    store: RedisLiveStore,
) -> None:
    games, questions, players = 10, 100, 50  # a quiz holds at most 100 questions
    barrier = threading.Barrier(players)

    def answer(plan: GamePlan, player: int, qid: str) -> str:
        barrier.wait()
        return store.answer(plan.game_id, player_id=f"p{player}", question_id=qid,
                            normalized="rome").verdict

    rounds = 0
    with ThreadPoolExecutor(players) as pool:
        for _game in range(games):
            plan = started(store, players, questions=questions)
            winners: list[str] = []
            for index in range(questions):
                asked = store.ask(plan, host_id=HOST, request_id=None, expected_index=index - 1)
                qid = plan.questions[asked.index].question_id
                verdicts = list(pool.map(lambda n, q=qid, p=plan: answer(p, n, q),
                                         range(players)))
                assert verdicts.count("correct") == 1, (plan.game_id, index)
                assert verdicts.count("not_first") == players - 1
                winners.append(f"p{verdicts.index('correct')}")
                rounds += 1
            snapshot = store.snapshot(plan.game_id)
            assert snapshot.winners() == {
                plan.questions[i].question_id: w for i, w in enumerate(winners)}
            board = {line.player_id: line.score for line in snapshot.board}
            assert board == {w: winners.count(w) for w in set(winners)}  # the scorers
    assert rounds == 1000


def test_a_repeated_answer_gets_the_first_verdict_and_changes_nothing(
    store: RedisLiveStore,
) -> None:
    plan = started(store, 2)
    store.ask(plan, host_id=HOST, request_id=None, expected_index=-1)
    first = store.answer(plan.game_id, player_id="p0", question_id="q1", normalized="paris")
    assert (first.verdict, first.repeat) == ("incorrect", False)
    for _ in range(10):
        again = store.answer(plan.game_id, player_id="p0", question_id="q1", normalized="rome")
        assert (again.verdict, again.repeat) == ("incorrect", True)
    won = store.answer(plan.game_id, player_id="p1", question_id="q1", normalized="roma")
    assert (won.verdict, won.winner, won.correct_answer) == ("correct", "p1", "Rome")
    replay = store.answer(plan.game_id, player_id="p1", question_id="q1", normalized="rome")
    assert (replay.verdict, replay.seq, replay.repeat) == ("correct", won.seq, True)
    assert {line.player_id: line.score for line in store.snapshot(plan.game_id).board} == {
        "p1": 1}  # the players with points


def test_late_and_foreign_answers_are_refused(store: RedisLiveStore) -> None:
    plan = started(store, 1, limit=5)
    with pytest.raises(errors.QuestionNotOpen):
        store.answer(plan.game_id, player_id="p0", question_id="q1", normalized="rome")
    store.ask(plan, host_id=HOST, request_id=None, expected_index=-1)
    with pytest.raises(errors.QuestionNotOpen):  # a future question
        store.answer(plan.game_id, player_id="p0", question_id="q2", normalized="rome")
    with pytest.raises(errors.NotInGame):
        store.answer(plan.game_id, player_id="stranger", question_id="q1", normalized="rome")
    client = store._redis  # noqa: SLF001 (move the deadline into the past on the Redis clock)
    client.hset(Keys(plan.game_id).meta, "deadline_ms", str(int(time.time() * 1000) - 1))
    with pytest.raises(errors.DeadlinePassed):
        store.answer(plan.game_id, player_id="p0", question_id="q1", normalized="rome")
    assert store.snapshot(plan.game_id).winners() == {}


def test_a_redelivered_next_question_asks_once_and_racing_asks_ask_once(
    store: RedisLiveStore,
) -> None:
    plan = started(store, 1, questions=3)
    first = store.ask(plan, host_id=HOST, request_id="r1", expected_index=-1)
    assert (first.repeat, first.index) == (False, 0)
    assert store.ask(plan, host_id=HOST, request_id="r1", expected_index=0).repeat
    with pytest.raises(errors.InvalidState):  # another "next" that read the same index
        store.ask(plan, host_id=HOST, request_id="r2", expected_index=-1)
    second = store.ask(plan, host_id=HOST, request_id="r3", expected_index=0)
    assert (second.index, second.previous_question_id, second.previous_seq) == (
        1, "q1", first.seq + 1)
    assert second.seq == second.previous_seq + 1


def test_only_the_host_drives_and_start_and_end_happen_once(store: RedisLiveStore) -> None:
    plan = make_plan()
    store.create(plan)
    store.join(plan.game_id, "p0", "zero")
    with pytest.raises(errors.NotHost):
        store.start(plan.game_id, "p0")
    started_ = store.start(plan.game_id, HOST)
    assert store.start(plan.game_id, HOST) == type(started_)(True, started_.seq, 1)
    with pytest.raises(errors.NotHost):
        store.ask(plan, host_id="p0", request_id=None, expected_index=-1)
    ended = store.end(plan.game_id, HOST)
    again = store.end(plan.game_id, HOST)
    assert (ended.repeat, again.repeat, again.seq) == (False, True, ended.seq)
    with pytest.raises(errors.InvalidState):
        store.join(plan.game_id, "p1", "one")


def test_an_unreachable_redis_is_a_retryable_error_never_a_silent_accept() -> None:
    dead = RedisLiveStore(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    with pytest.raises(ServiceUnavailable) as raised:
        dead.answer("g1", player_id="p0", question_id="q1", normalized="rome")
    assert raised.value.retryable


def test_an_old_next_question_redelivered_after_newer_ones_changes_nothing(
    store: RedisLiveStore,
) -> None:
    plan = started(store, 1, questions=3)
    store.ask(plan, host_id=HOST, request_id="r1", expected_index=-1)
    store.ask(plan, host_id=HOST, request_id="r2", expected_index=0)
    before = store.snapshot(plan.game_id)
    assert store.ask(plan, host_id=HOST, request_id="r1", expected_index=1).repeat
    after = store.snapshot(plan.game_id)
    assert (after.question_index, after.meta["qid"], after.meta["seq"]) == (
        1, "q2", before.meta["seq"])


def test_an_answer_delivered_before_its_join_is_refused_then_counts_after_joining(
    store: RedisLiveStore,
) -> None:
    plan = started(store, 0)
    store.ask(plan, host_id=HOST, request_id=None, expected_index=-1)
    with pytest.raises(errors.NotInGame):
        store.answer(plan.game_id, player_id="p9", question_id="q1", normalized="rome")
    store.join(plan.game_id, "p9", "nine")
    assert store.answer(plan.game_id, player_id="p9", question_id="q1",
                        normalized="rome").verdict == "correct"
