"""DynamoDB plumbing both multiplayer modes (hosted, live) share.

- ``available``: an unreachable DynamoDB becomes ``ServiceUnavailable`` (retryable); so do the
  error codes a mode lists as "busy". Every other ``ClientError`` is left to the adapter, which
  maps the codes it expects (a failed condition, a cancelled transaction) to domain errors.
- ``CompletionMarkers``: the single-player first-completion marker item of the plays table,
  reused, so that a player's first completed play of a quiz is ranked whichever mode it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.core.completions import FIRST_COMPLETION, first_completion_key
from services.core.errors import ServiceUnavailable
from services.core.provider_errors import error_code

# DynamoDB's throttles and internal errors: what a retry can fix.
THROTTLED = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                       "RequestLimitExceeded", "InternalServerError"})
# The first completed play of a quiz is ranked; the same game asking again still is (a retry).
FIRST_OR_THIS_GAME = "attribute_not_exists(play_id) OR first_play_id = :this"


@contextmanager
def available(busy_codes: frozenset[str] = frozenset()) -> Iterator[None]:
    try:
        yield
    except BotoCoreError:
        raise ServiceUnavailable("storage is unreachable; try again") from None
    except ClientError as error:
        if error_code(error) in busy_codes:
            raise ServiceUnavailable("storage is busy; try again") from None
        raise


class CompletionMarkers:
    """One first completion per (quiz, player); a game's play id is ``<mode>#<game_id>``.

    A game's players are marked concurrently (one conditional put each, ``max_workers`` at a
    time): sequential puts for a few hundred players would outlast the invocation."""

    def __init__(self, client: Any, plays_table: str, *, mode: str,
                 busy_codes: frozenset[str] = frozenset(), max_workers: int = 16) -> None:
        self._client = client
        self._table = plays_table
        self._mode = mode
        self._busy_codes = busy_codes
        self._max_workers = max_workers

    def first_completions(self, *, quiz_id: str, game_id: str, player_ids: Sequence[str],
                          completed_at: str) -> dict[str, bool]:
        if not player_ids:
            return {}
        with ThreadPoolExecutor(max_workers=min(self._max_workers, len(player_ids))) as pool:
            ranked = pool.map(
                lambda player_id: self.first_completion(
                    quiz_id=quiz_id, player_id=player_id, game_id=game_id,
                    completed_at=completed_at),
                player_ids,
            )
            return dict(zip(player_ids, ranked, strict=True))

    def first_completion(self, *, quiz_id: str, player_id: str, game_id: str,
                         completed_at: str) -> bool:
        this = f"{self._mode}#{game_id}"
        try:
            with available(self._busy_codes):
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        "play_id": {"S": first_completion_key(quiz_id, player_id)},
                        "item_type": {"S": FIRST_COMPLETION}, "quiz_id": {"S": quiz_id},
                        "player_id": {"S": player_id}, "first_play_id": {"S": this},
                        "completed_at": {"S": completed_at},
                    },
                    ConditionExpression=FIRST_OR_THIS_GAME,
                    ExpressionAttributeValues={":this": {"S": this}},
                )
            return True
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
