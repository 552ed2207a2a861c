"""Hosted-game use cases on moto (DynamoDB, SNS) and a real Redis, with a recording notifier:
opening, host-only actions, results published once per player at the end with one GameCredits
for the game's owner and host, ranking, unlisting."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import redis
from moto import mock_aws

from infra.wiring import load_template
from services.core.errors import QuizNotFound
from services.core.events import GameCredits, PlayerResult, event_from_message
from services.core.results_publisher import SnsBatchPublisher
from services.hosted import errors, use_cases
from services.hosted.dynamo import (
    DynamoCompletionMarkers,
    DynamoConnections,
    DynamoGameDirectory,
)
from services.hosted.memory import RecordingNotifier
from services.hosted.store import Keys, RedisGameStore
from services.hosted.use_cases import Caller, HostedServices
from services.quizzes.model import Quiz, QuizInput
from services.quizzes.repository import DynamoQuizRepository

pytestmark = pytest.mark.integration

REGION = "us-east-1"
WIRING = load_template()
TABLES = ("QuizzesTable", "PlaysTable", "ConnectionsTable", "GamesTable")
TABLE_PARAMETERS = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
HOST = Caller(connection_id="c-host", player_id="host-1", username="hannah",
              token_expires_at=2_000_000_000)


def _player(n: int) -> Caller:
    return Caller(connection_id=f"c-{n}", player_id=f"player-{n}", username=f"user{n}",
                  token_expires_at=2_000_000_000)


@dataclass
class World:
    services: HostedServices
    notifier: RecordingNotifier
    quizzes: DynamoQuizRepository
    sqs: Any
    queues: dict[str, str]
    redis: redis.Redis

    def events(self, topic: str) -> list[PlayerResult | GameCredits]:
        events = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.queues[topic],
                                             MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return events
            for message in batch:
                events.append(event_from_message(json.loads(message["Body"])["Message"]))
                self.sqs.delete_message(QueueUrl=self.queues[topic],
                                        ReceiptHandle=message["ReceiptHandle"])

    def published(self, topic: str) -> list[PlayerResult]:
        """The results on a topic (its GameCredits, if any, are dropped)."""
        return [event for event in self.events(topic) if isinstance(event, PlayerResult)]

    def add_quiz(self, owner: Caller, mode: str = "casual") -> str:
        questions = [
            {"type": "open", "text": "Capital of Italy?", "answer": "Rome"},
            {"type": "multiple_choice", "text": "Capital of France?",
             "options": ["Paris", "Lyon"], "answer": "Paris"},
        ]
        if mode == "competitive":
            questions = [{**q, "round": 1} for q in questions]
        quiz_id = uuid.uuid4().hex[:12]
        self.quizzes.create(Quiz(
            quiz_id=quiz_id, owner_id=owner.player_id, owner_name=owner.username,
            created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
            document=QuizInput.model_validate({"name": "Capitals", "category": "geo",
                                               "mode": mode, "questions": questions}),
        ))
        return quiz_id


@pytest.fixture
def world(redis_url: str) -> Iterator[World]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        names = {}
        for logical_id in TABLES:
            declared = WIRING.resources[logical_id]["Properties"]
            names[logical_id] = f"test-{logical_id}"
            dynamodb.create_table(TableName=names[logical_id], **{
                key: declared[key] for key in TABLE_PARAMETERS if key in declared})
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topics, queues, queues_topics = [], {}, {}
        for topic in ("leaderboard", "progress"):
            arn = sns.create_topic(Name=topic)["TopicArn"]
            url = sqs.create_queue(QueueName=topic)["QueueUrl"]
            queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
            topics.append(arn)
            queues[topic] = url
            queues_topics[topic] = arn
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        notifier = RecordingNotifier()
        quizzes = DynamoQuizRepository(dynamodb, names["QuizzesTable"])
        services = HostedServices(
            store=RedisGameStore(client),
            connections=DynamoConnections(dynamodb, names["ConnectionsTable"]),
            notifier=notifier,
            directory=DynamoGameDirectory(dynamodb, names["GamesTable"]),
            quizzes=quizzes,
            publisher=SnsBatchPublisher(sns, result_topics=topics,
                                        credit_topics=(queues_topics["progress"],)),
            markers=DynamoCompletionMarkers(dynamodb, names["PlaysTable"]),
            clock=lambda: datetime.now(UTC),
        )
        yield World(services, notifier, quizzes, sqs, queues, client)


def _opened(world: World, quiz_id: str) -> tuple[str, str]:
    use_cases.open_game(world.services, HOST, quiz_id)
    opened = world.notifier.last(HOST.connection_id)
    assert opened["type"] == "game_opened"
    return opened["game_id"], opened["join_code"]


def _answered_first_question(world: World) -> tuple[str, Caller]:
    """A game whose one player answered its open first question right; the game and player."""
    game_id, code = _opened(world, world.add_quiz(HOST))
    s, ann = world.services, _player(1)
    use_cases.join_game(s, ann, code)
    use_cases.start_game(s, HOST, game_id)
    use_cases.next_question(s, HOST, game_id)
    use_cases.answer(s, ann, game_id, "q1", "Rome")
    return game_id, ann


def _play(world: World, quiz_id: str, answers: dict[int, list[str]]) -> str:
    """A whole game: players join, answer each question as given, the host ends it."""
    game_id, code = _opened(world, quiz_id)
    s = world.services
    for n in answers:
        use_cases.join_game(s, _player(n), code)
    use_cases.start_game(s, HOST, game_id)
    for index, question_id in enumerate(("q1", "q2")):
        use_cases.next_question(s, HOST, game_id)
        for n, given in answers.items():
            use_cases.answer(s, _player(n), game_id, question_id, given[index])
        use_cases.close_question(s, HOST, game_id)
        use_cases.reveal(s, HOST, game_id)
    use_cases.end_game(s, HOST, game_id)
    return game_id


def test_the_end_publishes_one_result_per_player_to_both_topics(world: World) -> None:
    quiz_id = world.add_quiz(HOST)
    game_id = _play(world, quiz_id, {1: ["Rome", "Paris"], 2: ["Rome", "Lyon"], 3: ["x", "y"]})
    final = world.notifier.last(_player(1).connection_id)
    assert final["type"] == "game_ended"
    scores = {line["player_id"]: line["score"] for line in final["scores"]}
    leaderboard = {r.player_id: r for r in world.published("leaderboard")}
    progress = {r.player_id: r for r in world.published("progress")}
    assert set(leaderboard) == set(progress) == {"player-1", "player-2", "player-3"}
    for player_id, result in leaderboard.items():
        assert result == progress[player_id]
        assert result.source == "hosted" and result.game_id == game_id
        assert result.host_id == HOST.player_id and result.quiz_owner_id == HOST.player_id
        assert not result.credit_owner_and_host  # the game's GameCredits does, once
        assert result.score == scores[player_id] and result.total == 2 and result.ranked
        assert result.result_key == f"hosted#{game_id}#{player_id}"
    assert [leaderboard[p].correct for p in ("player-1", "player-2", "player-3")] == [2, 1, 0]
    assert [leaderboard[p].experience for p in ("player-1", "player-2", "player-3")] == [
        20, 10, 0]
    assert leaderboard["player-1"].won and not leaderboard["player-2"].won
    assert not leaderboard["player-3"].won and leaderboard["player-3"].score == 0
    # unlisted, and the live state expires
    assert world.services.directory.game_for_code(final["game_id"]) is None
    assert 0 < world.redis.ttl(Keys(game_id).meta) <= 600


def test_ending_again_republishes_the_same_results_which_the_writers_count_once(
        world: World) -> None:
    quiz_id = world.add_quiz(HOST)
    game_id = _play(world, quiz_id, {1: ["Rome", "Paris"]})
    first = world.published("leaderboard")
    use_cases.end_game(world.services, HOST, game_id)
    again = world.published("leaderboard")
    assert [r.result_key for r in again] == [r.result_key for r in first]
    assert [(r.score, r.ranked) for r in again] == [(r.score, r.ranked) for r in first]


def test_only_the_first_completed_game_of_a_quiz_is_ranked(world: World) -> None:
    quiz_id = world.add_quiz(HOST)
    _play(world, quiz_id, {1: ["Rome", "Paris"]})
    (first,) = world.published("progress")
    _play(world, quiz_id, {1: ["Rome", "Paris"]})
    (second,) = world.published("progress")
    assert first.ranked and first.experience == 20
    assert not second.ranked and second.experience == 0


def test_open_game_needs_the_hosts_own_hosted_quiz(world: World) -> None:
    s = world.services
    with pytest.raises(QuizNotFound):
        use_cases.open_game(s, HOST, "no-such-quiz")
    with pytest.raises(errors.NotOwner):
        use_cases.open_game(s, HOST, world.add_quiz(_player(9)))
    with pytest.raises(errors.ModeNotHosted):
        use_cases.open_game(s, HOST, world.add_quiz(HOST, mode="single"))
    assert world.notifier.sent == {}


@pytest.mark.parametrize("action", ["start_game", "next_question", "close_question", "reveal",
                                    "show_scoreboard", "end_game"])
def test_host_actions_by_a_player_are_refused_and_change_nothing(world: World,
                                                                 action: str) -> None:
    game_id, code = _opened(world, world.add_quiz(HOST))
    s = world.services
    use_cases.join_game(s, _player(1), code)
    before = s.store.state(game_id)
    sent_before = {c: len(m) for c, m in world.notifier.sent.items()}
    with pytest.raises(errors.NotHost):
        getattr(use_cases, action)(s, _player(1), game_id)
    after = s.store.state(game_id)
    assert (after.stored_status, after.question_index, after.open) == (
        before.stored_status, before.question_index, before.open)
    assert {c: len(m) for c, m in world.notifier.sent.items()} == sent_before


def test_an_expired_token_and_a_flood_are_refused_before_any_action(world: World) -> None:
    s = world.services
    expired = Caller(connection_id="c-old", player_id="p", username="u", token_expires_at=1)
    with pytest.raises(errors.TokenExpired):
        use_cases.admit(s, expired)
    flooder = Caller(connection_id=f"c-{uuid.uuid4().hex}", player_id="p", username="u",
                     token_expires_at=2_000_000_000)
    outcomes = []
    for _ in range(30):
        try:
            use_cases.admit(s, flooder)
            outcomes.append("ok")
        except Exception as refused:  # noqa: BLE001
            outcomes.append(getattr(refused, "code", "?"))
    assert outcomes.count("ok") <= 20 and "rate_limited" in outcomes


def test_a_large_game_publishes_every_result_once_in_batches(world: World) -> None:
    quiz_id = world.add_quiz(HOST)
    game_id = _play(world, quiz_id, {n: ["Rome", "Paris"] for n in range(25)})
    for topic in ("leaderboard", "progress"):
        results = world.published(topic)
        assert sorted(r.player_id for r in results) == sorted(f"player-{n}" for n in range(25))
        assert all(r.game_id == game_id and r.ranked and r.correct == 2 for r in results)


def _credits(events: list[PlayerResult | GameCredits]) -> list[GameCredits]:
    return [event for event in events if isinstance(event, GameCredits)]


def test_the_end_publishes_one_game_credits_to_the_progress_topic_only(world: World) -> None:
    quiz_id = world.add_quiz(HOST)
    game_id = _play(world, quiz_id, {1: ["Rome", "Paris"], 2: ["Rome", "Lyon"], 3: ["x", "y"]})
    assert _credits(world.events("leaderboard")) == []
    (credits,) = _credits(world.events("progress"))
    assert (credits.source, credits.game_id, credits.quiz_id) == ("hosted", game_id, quiz_id)
    # a host hosts their own quiz: one credit per role, each the sum of the players' experience
    assert [(c.player_id, c.role, c.experience) for c in credits.credits] == [
        (HOST.player_id, "owner", 30), (HOST.player_id, "host", 30)]


def test_ending_again_republishes_the_same_credits(world: World) -> None:
    game_id = _play(world, world.add_quiz(HOST), {1: ["Rome", "Paris"]})
    (first,) = _credits(world.events("progress"))
    use_cases.end_game(world.services, HOST, game_id)
    (again,) = _credits(world.events("progress"))
    assert (again.credit_key, again.credits) == (first.credit_key, first.credits)


def test_a_large_game_publishes_one_game_credits_with_every_players_experience(
        world: World) -> None:
    _play(world, world.add_quiz(HOST), {n: ["Rome", "Paris"] for n in range(25)})
    progress = world.events("progress")
    (credits,) = _credits(progress)
    assert len(progress) == 26
    assert {c.role: c.experience for c in credits.credits} == {"owner": 500, "host": 500}


def test_the_host_hears_every_broadcast_before_the_players(world: World) -> None:
    """Else a fast player's answer_progress (a later seq) could reach the host before its copy
    of the question, and the host would drop the question as stale."""
    quiz_id = world.add_quiz(HOST)
    game_id, code = _opened(world, quiz_id)
    players = [_player(n) for n in (1, 2, 3)]
    for player in players:
        use_cases.join_game(world.services, player, code)
    calls: list[list[str]] = []

    class OrderRecordingNotifier:
        def send(self, connection_ids: Any, message: Any) -> Any:
            calls.append(list(connection_ids))
            return world.notifier.send(connection_ids, message)

        def __getattr__(self, name: str) -> Any:
            return getattr(world.notifier, name)

    services = dataclasses.replace(world.services, notifier=OrderRecordingNotifier())
    use_cases.start_game(services, HOST, game_id)
    use_cases.next_question(services, HOST, game_id)
    player_connections = {player.connection_id for player in players}
    broadcasts = [i for i, call in enumerate(calls) if player_connections <= set(call)]
    assert len(broadcasts) == 2  # game_started, question
    for index in broadcasts:
        assert HOST.connection_id not in calls[index]
        assert calls[index - 1] == [HOST.connection_id]


def test_reveals_and_standings_are_sized_per_seat_however_many_play(world: World) -> None:
    """Everyone gets the top of the standings and the answer counts; each player their own
    line and answer; the host nobody's. No copy grows with the game (decision 0009)."""
    quiz_id = world.add_quiz(HOST)
    players = 40
    game_id = _play(world, quiz_id, {n: ["Rome" if n % 4 else f"Turin {n % 3}", "Paris"]
                                     for n in range(1, players + 1)})
    s = world.notifier.sent
    reveals = [m for m in s[_player(4).connection_id] if m["type"] == "reveal"]
    first = reveals[0]["questions"][0]
    assert (first["answered"], first["answered_correctly"]) == (players, 30)
    assert first["answers"][0] == {"answer": "Rome", "count": 30, "correct": True}
    assert {a["answer"] for a in first["answers"][1:]} == {"Turin 0", "Turin 1", "Turin 2"}
    assert first["yours"]["answer"] == "Turin 1" and first["yours"]["correct"] is False
    host_reveal = next(m for m in s[HOST.connection_id] if m["type"] == "reveal")
    assert "yours" not in host_reveal["questions"][0]
    assert host_reveal["seq"] == reveals[0]["seq"]  # one broadcast, copies per seat

    ended = {n: world.notifier.last(_player(n).connection_id) for n in range(1, players + 1)}
    host_end = world.notifier.last(HOST.connection_id)
    assert host_end["type"] == "game_ended" and "you" not in host_end
    assert len(host_end["scores"]) == 10 and host_end["players"] == players
    for n, final in ended.items():
        assert final["scores"] == host_end["scores"] and final["players"] == players
        mine = [line for line in final["scores"] if line["player_id"] == f"player-{n}"]
        if mine:
            assert (final["you"]["rank"], final["you"]["score"]) == (
                mine[0]["rank"], mine[0]["score"])
    results = {r.player_id: r for r in world.published("leaderboard")}
    for n, final in ended.items():
        result = results[f"player-{n}"]
        assert (final["you"]["score"], final["you"]["correct"]) == (result.score, result.correct)
    ranks = sorted(final["you"]["rank"] for final in ended.values())
    assert ranks[0] == 1 and ranks[-1] <= players
    assert game_id == host_end["game_id"]


def test_nothing_a_player_is_sent_before_the_reveal_says_whether_they_were_right(
        world: World) -> None:
    """Points reach the standings at the reveal: a player resuming (or a scoreboard shown)
    mid-question cannot learn from its own score whether its answer was right and tell others."""
    game_id, ann = _answered_first_question(world)
    s = world.services
    use_cases.resume(s, ann, game_id)
    state = world.notifier.last(ann.connection_id)["state"]
    assert (state["your_score"], state["your_correct"]) == (0, 0)
    use_cases.close_question(s, HOST, game_id)
    use_cases.show_scoreboard(s, HOST, game_id)
    assert world.notifier.last(ann.connection_id)["you"]["score"] == 0
    use_cases.reveal(s, HOST, game_id)
    earned = world.notifier.last(ann.connection_id)["questions"][0]["yours"]["points"]
    use_cases.show_scoreboard(s, HOST, game_id)
    you = world.notifier.last(ann.connection_id)["you"]
    assert (you["score"], you["correct"]) == (earned, 1) and earned >= 500


def test_the_end_counts_the_questions_never_revealed(world: World) -> None:
    game_id, ann = _answered_first_question(world)
    s = world.services
    use_cases.end_game(s, HOST, game_id)  # no reveal
    you = world.notifier.last(ann.connection_id)["you"]
    (result,) = world.published("leaderboard")
    assert you["correct"] == result.correct == 1 and you["score"] == result.score >= 500
    use_cases.end_game(s, HOST, game_id)  # ended again: counted once
    assert world.notifier.last(ann.connection_id)["you"] == you
