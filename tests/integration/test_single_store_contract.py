"""One contract for the play store and one for the result publisher: the in-memory fakes and
the DynamoDB / SNS adapters (on moto) pass the same assertions, so the unit tests' fakes cannot
drift from the real thing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from services.core.completions import first_completion_key
from services.core.errors import ServiceUnavailable
from services.core.events import PlayerResult
from services.quizzes.model import MultipleChoice, OpenAnswer
from services.single.dynamo import DynamoPlayStore
from services.single.memory import InMemoryPlayStore, RecordingPublisher
from services.single.plays import (
    Play,
    PlayAlreadySubmitted,
    PlayQuestion,
    QuizAlreadyCompleted,
    Submission,
)
from services.single.ports import PlayStore, ResultPublisher
from services.single.publisher import SnsResultPublisher
from tests.integration.play_support import local_aws

pytestmark = pytest.mark.integration

QUESTIONS = (
    PlayQuestion("q1", MultipleChoice(type="multiple_choice", text="Capital of France?",
                                      options=["Berlin", "Paris"], answer="Paris",
                                      follow_up="Since 987.", time_limit_seconds=30)),
    PlayQuestion("q2", OpenAnswer(type="open", text="Capital of Japan?", answer="Tokyo",
                                  alternatives=["Tōkyō", "Edo"], round=2)),
    PlayQuestion("q3", OpenAnswer(type="open", text="Capital of Peru?", answer="Lima")),
)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlayStore]:
    if request.param == "memory":
        yield InMemoryPlayStore()
        return
    with local_aws(monkeypatch) as cloud:
        yield DynamoPlayStore(cloud.dynamodb, cloud.refs["PlaysTable"])


def _play(play_id: str = "play-1", player_id: str = "ada", quiz_id: str = "capitals") -> Play:
    return Play(play_id=play_id, player_id=player_id, username=player_id, quiz_id=quiz_id,
                quiz_owner_id="owner", started_at="2030-01-01T00:00:00.000Z",
                questions=QUESTIONS)


def _submission(answers: dict[str, str] | None = None, *, ranked: bool = True) -> Submission:
    return Submission(answers=answers if answers is not None else {"q1": "Paris", "q2": ""},
                      submitted_at="2030-01-01T00:01:00.000Z", ranked=ranked, score=33,
                      correct=1, total=3, experience=10 if ranked else 0)


def test_a_play_reads_back_as_stored(store: PlayStore) -> None:
    play = _play()
    store.add(play)
    assert store.get("play-1") == play
    assert store.get("play-2") is None


def test_first_completion_is_recorded_with_its_submission(store: PlayStore) -> None:
    store.add(_play())
    store.record_first_completion(_play(), _submission())
    assert store.get("play-1") == _play().with_submission(_submission())


def test_an_empty_submission_reads_back(store: PlayStore) -> None:
    store.add(_play())
    store.record_first_completion(_play(), _submission({}))
    stored = store.get("play-1")
    assert stored is not None and stored.submission == _submission({})


def test_one_submission_per_play(store: PlayStore) -> None:
    store.add(_play())
    store.record_first_completion(_play(), _submission())
    with pytest.raises(PlayAlreadySubmitted):
        store.record_first_completion(_play(), _submission({"q1": "Berlin"}))
    with pytest.raises(PlayAlreadySubmitted):
        store.record_submission(_play(), _submission({"q1": "Berlin"}, ranked=False))
    assert store.get("play-1") == _play().with_submission(_submission())


def test_only_the_first_completed_play_of_a_quiz_is_ranked(store: PlayStore) -> None:
    first, replay = _play("play-1"), _play("play-2")
    store.add(first)
    store.add(replay)
    store.record_first_completion(first, _submission())
    with pytest.raises(QuizAlreadyCompleted):
        store.record_first_completion(replay, _submission())
    stored = store.get("play-2")
    assert stored is not None and stored.submission is None  # nothing half-written
    store.record_submission(replay, _submission(ranked=False))
    stored = store.get("play-2")
    assert stored is not None and stored.submission == _submission(ranked=False)


def test_first_completion_is_per_player_and_quiz(store: PlayStore) -> None:
    plays = [_play("p1"), _play("p2", player_id="bob"), _play("p3", quiz_id="history")]
    for play in plays:
        store.add(play)
        store.record_first_completion(play, _submission())
    assert all(store.get(play.play_id).submission.ranked for play in plays)  # type: ignore[union-attr]


def test_submitting_an_unknown_play_fails(store: PlayStore) -> None:
    with pytest.raises(PlayAlreadySubmitted):
        store.record_submission(_play("ghost"), _submission(ranked=False))
    assert store.get("ghost") is None


def test_markers_are_not_plays(store: PlayStore) -> None:
    store.add(_play())
    store.record_first_completion(_play(), _submission())
    assert store.get(first_completion_key("capitals", "ada")) is None


# ------------------------------------------------------------------------ result publisher


@dataclass
class Publishing:
    publisher: ResultPublisher
    published: Callable[[], list[PlayerResult]]  # delivered to every topic, since last call
    fail_next: Callable[[], None]
    recover: Callable[[], None]


@pytest.fixture(params=["memory", "sns"])
def publishing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Publishing]:
    if request.param == "memory":
        fake = RecordingPublisher()
        seen: list[PlayerResult] = []

        def fake_published() -> list[PlayerResult]:
            new = fake.published[len(seen):]
            seen.extend(new)
            return new

        yield Publishing(fake, fake_published, lambda: setattr(fake, "failures", 1),
                         lambda: None)
        return
    with local_aws(monkeypatch) as cloud:
        topics = ("LeaderboardTopic", "ProgressTopic")

        def sns_published() -> list[PlayerResult]:
            per_topic = [[PlayerResult.from_message(m) for m in cloud.published(topic)]
                         for topic in topics]
            return [result for result in per_topic[1] if result in per_topic[0]]

        yield Publishing(
            SnsResultPublisher(cloud.sns, [cloud.refs[topic] for topic in topics]),
            sns_published,
            lambda: cloud.sns.delete_topic(TopicArn=cloud.refs["ProgressTopic"]),
            lambda: cloud.create_topic("ProgressTopic"),
        )


RESULT = PlayerResult(source="single", game_id="play-1", quiz_id="capitals",
                      quiz_owner_id="owner", player_id="ada", username="ada", score=67,
                      correct=2, total=3, experience=20, ranked=True,
                      completed_at="2030-01-01T00:01:00.000Z")


def test_a_result_reaches_every_topic(publishing: Publishing) -> None:
    publishing.publisher.publish(RESULT)
    assert publishing.published() == [RESULT]


def test_a_failed_publish_is_retryable_and_a_retry_delivers(publishing: Publishing) -> None:
    publishing.fail_next()
    with pytest.raises(ServiceUnavailable) as failed:
        publishing.publisher.publish(RESULT)
    assert failed.value.retryable
    assert publishing.published() == []
    publishing.recover()
    publishing.publisher.publish(RESULT)
    assert publishing.published() == [RESULT]
