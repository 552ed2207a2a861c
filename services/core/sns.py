"""Glue for SNS-triggered Lambda functions.

``sns_handler(use_case)`` returns a Lambda entry point that validates each record's message as a
``PlayerResult`` and passes it to the use case. A malformed message is logged and skipped (a
retry cannot fix it); any other failure propagates, so Lambda (or the local SNS bridge) retries
the event and, when retries run out, keeps it as a dead letter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from services.core.events import PlayerResult

logger = logging.getLogger(__name__)


def sns_handler(use_case: Callable[[PlayerResult], Any]) -> Callable[[dict[str, Any], Any], dict]:
    def handle(event: dict[str, Any], context: Any = None) -> dict[str, int]:
        processed = skipped = 0
        for record in event.get("Records", []):
            message = (record.get("Sns") or {}).get("Message", "")
            try:
                result = PlayerResult.from_message(message)
            except (ValueError, ValidationError):
                logger.error("skipping malformed result message %r", message[:200])
                skipped += 1
                continue
            use_case(result)
            processed += 1
        return {"processed": processed, "skipped": skipped}

    return handle
