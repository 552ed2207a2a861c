"""A finished game's events out over SNS in batches: every ``PlayerResult`` to each result
topic (leaderboard and progress), and the game's one ``GameCredits`` to each credit topic
(progress only), ten messages per call.

A game's end publishes one result per player; one ``Publish`` per player and topic would take
the ending invocation past its timeout for a few hundred players. ``PublishBatch`` sends ten
per request, and the batches go out concurrently. Any failed entry is a retryable error for the
host: ending again republishes everything, and the writers count each event once (idempotent
on ``result_key``, and on (game, beneficiary, role) for credits).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.core.errors import ServiceUnavailable
from services.core.events import GameCredits, PlayerResult

BATCH_SIZE = 10  # SNS PublishBatch's limit


class SnsBatchPublisher:
    def __init__(self, client: Any, *, result_topics: Sequence[str],
                 credit_topics: Sequence[str], max_workers: int = 8) -> None:
        self._client = client
        self._result_topics = tuple(result_topics)
        self._credit_topics = tuple(credit_topics)
        self._max_workers = max_workers

    def publish_game(self, results: Sequence[PlayerResult], credits: GameCredits) -> None:
        """Every result to each result topic and the credits to each credit topic."""
        messages = {topic: [r.to_message() for r in results] for topic in self._result_topics}
        for topic in self._credit_topics:
            messages.setdefault(topic, []).append(credits.to_message())
        batches = [
            (topic, topic_messages[start:start + BATCH_SIZE])
            for topic, topic_messages in messages.items()
            for start in range(0, len(topic_messages), BATCH_SIZE)
        ]
        if not batches:
            return
        with ThreadPoolExecutor(max_workers=min(self._max_workers, len(batches))) as pool:
            failures = sum(pool.map(lambda batch: self._publish(*batch), batches))
        if failures:
            raise ServiceUnavailable(
                f"{failures} game results could not be published; end the game again")

    def _publish(self, topic_arn: str, messages: Sequence[str]) -> int:
        entries = [{"Id": str(index), "Message": message}
                   for index, message in enumerate(messages)]
        try:
            response = self._client.publish_batch(TopicArn=topic_arn,
                                                  PublishBatchRequestEntries=entries)
        except (ClientError, BotoCoreError):
            return len(entries)
        return len(response.get("Failed") or [])
