"""Results out over SNS in batches: every PlayerResult of a game to each topic, ten per call.

A game's end publishes one result per player; one ``Publish`` per player and topic would take
the ``end_game`` invocation past its timeout for a few hundred players. ``PublishBatch`` sends
ten per request, and the batches of a topic go out concurrently. Any failed entry is a
retryable error for the host: ending again republishes everything, and the writers count each
result once (idempotent on ``result_key``).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.core.errors import ServiceUnavailable
from services.core.events import PlayerResult

BATCH_SIZE = 10  # SNS PublishBatch's limit


class SnsBatchPublisher:
    def __init__(self, client: Any, topic_arns: Sequence[str], *, max_workers: int = 8) -> None:
        self._client = client
        self._topic_arns = tuple(topic_arns)
        self._max_workers = max_workers

    def publish_all(self, results: Sequence[PlayerResult]) -> None:
        batches = [
            (topic_arn, results[start:start + BATCH_SIZE])
            for topic_arn in self._topic_arns
            for start in range(0, len(results), BATCH_SIZE)
        ]
        if not batches:
            return
        with ThreadPoolExecutor(max_workers=min(self._max_workers, len(batches))) as pool:
            failures = sum(pool.map(lambda batch: self._publish(*batch), batches))
        if failures:
            raise ServiceUnavailable(
                f"{failures} results could not be published; end the game again")

    def _publish(self, topic_arn: str, results: Sequence[PlayerResult]) -> int:
        entries = [{"Id": str(index), "Message": result.to_message()}
                   for index, result in enumerate(results)]
        try:
            response = self._client.publish_batch(TopicArn=topic_arn,
                                                  PublishBatchRequestEntries=entries)
        except (ClientError, BotoCoreError):
            return len(entries)
        return len(response.get("Failed") or [])
