"""services/single/publisher.py: a result goes to every topic at once, and any failure is the
client's to retry (the SNS contract itself: tests/integration/test_single_store_contract.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from services.core.errors import ServiceUnavailable
from services.core.events import PlayerResult
from services.single.publisher import SnsResultPublisher

pytestmark = pytest.mark.unit

RESULT = PlayerResult(source="single", game_id="play-1", quiz_id="capitals",
                      quiz_owner_id="owner", player_id="ada", username="ada", score=67,
                      correct=2, total=3, experience=20, ranked=True,
                      completed_at="2030-01-01T00:01:00.000Z")
TOPICS = ("arn:leaderboard", "arn:progress")


class MeetingClient:
    """An SNS client whose publishes wait for each other: done one after the other, the first
    would wait in vain (the barrier breaks after a second)."""

    def __init__(self, failing: str | None = None) -> None:
        self.barrier = threading.Barrier(len(TOPICS), timeout=1.0)
        self.failing = failing
        self.published: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def publish(self, *, TopicArn: str, Message: str) -> dict[str, Any]:  # noqa: N803 (boto3's)
        self.barrier.wait()
        if TopicArn == self.failing:
            raise ClientError({"Error": {"Code": "NotFound", "Message": "gone"}}, "Publish")
        with self._lock:
            self.published.append((TopicArn, Message))
        return {"MessageId": "m"}


def test_every_topic_is_published_at_once() -> None:
    client = MeetingClient()
    SnsResultPublisher(client, TOPICS).publish(RESULT)
    assert sorted(topic for topic, _ in client.published) == sorted(TOPICS)
    assert {PlayerResult.from_message(message) for _, message in client.published} == {RESULT}


def test_one_failed_topic_is_a_retryable_failure_after_the_others_were_tried() -> None:
    client = MeetingClient(failing=TOPICS[0])
    with pytest.raises(ServiceUnavailable) as failed:
        SnsResultPublisher(client, TOPICS).publish(RESULT)
    assert failed.value.retryable
    assert [topic for topic, _ in client.published] == [TOPICS[1]]
