"""Results out over SNS: one ``PlayerResult`` to the leaderboard topic and the progress topic,
both at once, so a submission waits for one publish, not one per topic."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.core.errors import ServiceUnavailable
from services.core.events import PlayerResult

# One pool per process (a Lambda container): boto3 clients are safe to share between threads.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sns-publish")


class SnsResultPublisher:
    """Publishes to every topic at once. Any failure is a retryable error for the client:
    resubmitting publishes to all topics again, and the writers drop what they already have."""

    def __init__(self, client: Any, topic_arns: Sequence[str]) -> None:
        self._client = client
        self._topic_arns = tuple(topic_arns)

    def publish(self, result: PlayerResult) -> None:
        message = result.to_message()
        sent = [_POOL.submit(self._client.publish, TopicArn=topic_arn, Message=message)
                for topic_arn in self._topic_arns]
        failed = False
        for publish in sent:  # every one is waited for, whichever fails
            try:
                publish.result()
            except (ClientError, BotoCoreError):
                failed = True
        if failed:
            raise ServiceUnavailable(
                "the result is saved but could not be published; submit the same answers again"
            )
