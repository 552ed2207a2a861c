"""Results out over SNS: one ``PlayerResult`` to the leaderboard topic and the progress topic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.core.errors import ServiceUnavailable
from services.core.events import PlayerResult


class SnsResultPublisher:
    """Publishes to every topic in turn. Any failure is a retryable error for the client:
    resubmitting publishes to all topics again, and the writers drop what they already have."""

    def __init__(self, client: Any, topic_arns: Sequence[str]) -> None:
        self._client = client
        self._topic_arns = tuple(topic_arns)

    def publish(self, result: PlayerResult) -> None:
        message = result.to_message()
        for topic_arn in self._topic_arns:
            try:
                self._client.publish(TopicArn=topic_arn, Message=message)
            except (ClientError, BotoCoreError):
                raise ServiceUnavailable(
                    "the result is saved but could not be published; submit the same answers "
                    "again"
                ) from None
