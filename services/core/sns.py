"""Glue for SNS-triggered Lambda functions.

``sns_handler(on_result, on_game_credits=...)`` returns a Lambda entry point that reads
each record's message as a writer event (``services.core.events.WriterEvent``: a
``PlayerResult`` or a ``GameCredits``, told apart by ``type``) and passes it to the use case
the writer gave for that type. A writer says which events it takes by the use cases it gives:
a well-formed event it has none for (say a ``GameCredits`` that reached the leaderboard writer)
is logged and skipped. A malformed message is logged and skipped too (a retry cannot fix it).
Any other failure propagates, so Lambda (or the local SNS bridge) retries the event and, when
retries run out, keeps it as a dead letter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from services.core.events import GameCredits, PlayerResult, event_from_message

logger = logging.getLogger(__name__)


def sns_handler(
    on_result: Callable[[PlayerResult], Any] | None = None,
    *,
    on_game_credits: Callable[[GameCredits], Any] | None = None,
) -> Callable[[dict[str, Any], Any], dict[str, int]]:
    def dispatch(event: PlayerResult | GameCredits) -> bool:
        if isinstance(event, PlayerResult) and on_result is not None:
            on_result(event)
            return True
        if isinstance(event, GameCredits) and on_game_credits is not None:
            on_game_credits(event)
            return True
        logger.info("skipping a %s event: this writer does not take it", event.type)
        return False

    def handle(event: dict[str, Any], context: Any = None) -> dict[str, int]:
        processed = skipped = 0
        for record in event.get("Records", []):
            message = (record.get("Sns") or {}).get("Message", "")
            try:
                parsed = event_from_message(message)
            except (ValueError, ValidationError):
                logger.error("skipping malformed event message %r", message[:200])
                skipped += 1
                continue
            if dispatch(parsed):
                processed += 1
            else:
                skipped += 1
        return {"processed": processed, "skipped": skipped}

    return handle
