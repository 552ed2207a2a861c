"""DynamoDB adapter for quizzes, over a low-level boto3 client (thread-safe, injected).

Provider errors become domain errors here, by error code: a failed condition becomes
``QuizNotFound`` (unknown or someone else's quiz — never revealed apart), ``QuizVersionConflict``
(a lost update) or ``QuizIdTaken``; throttling and connection failures become
``ServiceUnavailable`` (503, retryable). The item format lives in ``services.quizzes.items``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from services.core.errors import QuizNotFound, ServiceUnavailable
from services.core.provider_errors import TRANSIENT_CODES, error_code
from services.quizzes import items
from services.quizzes.errors import QuizIdTaken, QuizVersionConflict
from services.quizzes.filters import listed_category, listed_mode
from services.quizzes.model import QUIZ_ID_PATTERN, Mode, Quiz, listing_key
from services.quizzes.summaries import QuizListing, QuizSummary

__all__ = ["DynamoQuizRepository", "QuizListing", "QuizSummary"]

# Two creates that draw the same random id: the second must not overwrite the first.
ID_UNUSED = "attribute_not_exists(quiz_id)"
# Another player's quiz, or one deleted meanwhile, is never changed, whatever id they send.
OWNED_BY_CALLER = "#owner_id = :owner_id"
# A write based on an older read loses instead of silently undoing a newer edit (lost update).
UNCHANGED_SINCE_READ = "#version = :expected_version"

_CONDITION_NAMES = {"#owner_id": "owner_id", "#version": "version"}
_CONDITION_FAILED = "ConditionalCheckFailedException"
_BATCH_GET_LIMIT = 100
_SCAN_PAGE_BUDGET = 10


class _ConditionFailed(Exception):
    def __init__(self, old_item: Mapping[str, Any] | None) -> None:
        super().__init__("condition failed")
        self.old_item = old_item or None


class DynamoQuizRepository:
    """Quizzes in the table ``QuizzesTable`` of ``infra/template.yaml``."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        *,
        max_batch_attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._table = table_name
        self._max_batch_attempts = max_batch_attempts
        self._sleep = sleep

    # ------------------------------------------------------------------ reads

    def get(self, quiz_id: str) -> Quiz | None:
        if not QUIZ_ID_PATTERN.match(quiz_id):
            return None
        response = self._call("get_item", Key=items.key(quiz_id), ConsistentRead=True)
        item = response.get("Item")
        return items.quiz_from_item(item) if item else None

    def list_by_owner(self, owner_id: str) -> list[QuizSummary]:
        """Newest first: the ``by_owner`` index gives the keys in order, BatchGetItem the rows."""
        quiz_ids = [
            items.deserialize(row)["quiz_id"]
            for row in self._pages(
                "query",
                IndexName="by_owner",
                KeyConditionExpression="#owner_id = :owner_id",
                ExpressionAttributeNames={"#owner_id": "owner_id"},
                ExpressionAttributeValues=items.serialize({":owner_id": owner_id}),
                ScanIndexForward=False,
            )
        ]
        rows = self._batch_get([items.key(quiz_id) for quiz_id in quiz_ids])
        summaries = {row.quiz_id: row for row in map(items.summary_from_item, rows)}
        # A quiz deleted between the query and the batch read is simply left out.
        return [summaries[quiz_id] for quiz_id in quiz_ids if quiz_id in summaries]

    def list_listed(
        self, mode: Mode | str, category: str | None, limit: int = 100
    ) -> list[QuizListing]:
        """Active quizzes of ``mode``, from the sparse ``by_listing`` index.

        With a category: one query on ``"<mode>#<category>"``. Without: a scan of the sparse
        index (only active quizzes are in it), bounded to a few pages so a large catalogue
        costs a fixed amount per call. Sorted by category, then name.
        """
        wanted = listed_mode(mode)
        if limit < 1:
            return []
        if category:
            found = self._first(limit, "query", **self._listing_query(wanted, category))
        else:
            found = self._first(
                limit,
                "scan",
                max_pages=_SCAN_PAGE_BUDGET,
                IndexName="by_listing",
                FilterExpression="begins_with(#listing, :prefix)",
                ExpressionAttributeNames={"#listing": "listing"},
                ExpressionAttributeValues=items.serialize({":prefix": f"{wanted.value}#"}),
            )
        listings = [items.listing_from_item(item) for item in found]
        return sorted(listings, key=lambda x: (x.category, x.name.casefold(), x.quiz_id))

    def _listing_query(self, mode: Mode, category: str) -> dict[str, Any]:
        return {
            "IndexName": "by_listing",
            "KeyConditionExpression": "#listing = :listing",
            "ExpressionAttributeNames": {"#listing": "listing"},
            "ExpressionAttributeValues": items.serialize(
                {":listing": listing_key(mode, listed_category(category))}
            ),
        }

    # ------------------------------------------------------------------ writes

    def create(self, quiz: Quiz) -> None:
        try:
            self._write("put_item", Item=items.quiz_to_item(quiz), ConditionExpression=ID_UNUSED)
        except _ConditionFailed:
            raise QuizIdTaken(f"quiz id {quiz.quiz_id} is taken") from None

    def replace(self, quiz: Quiz, expected_version: int) -> None:
        try:
            self._write(
                "put_item",
                Item=items.quiz_to_item(quiz),
                ConditionExpression=f"{OWNED_BY_CALLER} AND {UNCHANGED_SINCE_READ}",
                ExpressionAttributeNames=_CONDITION_NAMES,
                ExpressionAttributeValues=items.serialize(
                    {":owner_id": quiz.owner_id, ":expected_version": expected_version}
                ),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except _ConditionFailed as refused:
            raise _refusal(quiz.quiz_id, quiz.owner_id, expected_version, refused) from None

    def delete(self, quiz_id: str, owner_id: str) -> None:
        if not QUIZ_ID_PATTERN.match(quiz_id):
            raise _not_found(quiz_id)
        try:
            self._write(
                "delete_item",
                Key=items.key(quiz_id),
                ConditionExpression=OWNED_BY_CALLER,
                ExpressionAttributeNames={"#owner_id": "owner_id"},
                ExpressionAttributeValues=items.serialize({":owner_id": owner_id}),
            )
        except _ConditionFailed:
            raise _not_found(quiz_id) from None

    def set_active(
        self, quiz_id: str, owner_id: str, active: bool, *, expected_version: int | None = None
    ) -> Quiz:
        """List (``active``) or unlist the owner's quiz; returns it as now stored.

        The listing key is derived from the document at the version read here, and the write
        is conditional on that version, so a concurrent edit of mode or category cannot leave
        the quiz listed under a stale key.
        """
        current = self.get(quiz_id)
        if current is None or current.owner_id != owner_id:
            raise _not_found(quiz_id)
        if expected_version is not None and current.version != expected_version:
            raise _version_conflict(quiz_id, expected_version, current.version)
        updated = current.model_copy(update={"active": active})
        try:
            self._write("update_item", Key=items.key(quiz_id), **_activation(updated))
        except _ConditionFailed as refused:
            raise _refusal(quiz_id, owner_id, current.version, refused) from None
        return updated

    # ------------------------------------------------------------------ plumbing

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        return self._invoke(operation, TableName=self._table, **request)

    def _invoke(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._client, operation)(**request)
        except ClientError as error:
            if error_code(error) in TRANSIENT_CODES:
                raise _unavailable(operation) from error
            raise
        except (BotoConnectionError, HTTPClientError) as error:
            raise _unavailable(operation) from error
        return response

    def _write(self, operation: str, **request: Any) -> dict[str, Any]:
        try:
            return self._call(operation, **request)
        except ClientError as error:
            if error_code(error) != _CONDITION_FAILED:
                raise
            raise _ConditionFailed(error.response.get("Item")) from None

    def _pages(
        self, operation: str, *, max_pages: int | None = None, **request: Any
    ) -> Iterator[dict[str, Any]]:
        pages = 0
        while True:
            response = self._call(operation, **request)
            yield from response.get("Items", [])
            pages += 1
            start = response.get("LastEvaluatedKey")
            if not start or (max_pages is not None and pages >= max_pages):
                return
            request["ExclusiveStartKey"] = start

    def _first(self, limit: int, operation: str, **request: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for item in self._pages(operation, Limit=limit, **request):
            found.append(item)
            if len(found) >= limit:
                break
        return found

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), _BATCH_GET_LIMIT):
            found.extend(self._batch_get_chunk(keys[start : start + _BATCH_GET_LIMIT]))
        return found

    def _batch_get_chunk(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One BatchGetItem, re-asking for unprocessed keys with backoff (AWS's advice)."""
        found: list[dict[str, Any]] = []
        pending: dict[str, Any] = {
            self._table: {"Keys": keys, **items.projection(items.SUMMARY_ATTRIBUTES)}
        }
        for attempt in range(self._max_batch_attempts):
            if attempt:
                self._sleep(min(0.05 * 2**attempt, 1.0))
            response = self._invoke("batch_get_item", RequestItems=pending)
            found.extend(response.get("Responses", {}).get(self._table, []))
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                return found
        raise _unavailable("batch_get_item")


def _activation(quiz: Quiz) -> dict[str, Any]:
    listing = quiz.listing
    update = "SET #active = :active, #listing = :listing" if listing else (
        "SET #active = :active REMOVE #listing"
    )
    values: dict[str, Any] = {
        ":active": quiz.active,
        ":owner_id": quiz.owner_id,
        ":expected_version": quiz.version,
    }
    if listing:
        values[":listing"] = listing
    return {
        "UpdateExpression": update,
        "ConditionExpression": f"{OWNED_BY_CALLER} AND {UNCHANGED_SINCE_READ}",
        "ExpressionAttributeNames": {
            **_CONDITION_NAMES, "#active": "active", "#listing": "listing"
        },
        "ExpressionAttributeValues": items.serialize(values),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def _refusal(
    quiz_id: str, owner_id: str, expected_version: int, refused: _ConditionFailed
) -> QuizNotFound | QuizVersionConflict:
    """Tell a lost update from a foreign or vanished quiz, using the item the write saw."""
    old = items.deserialize(refused.old_item) if refused.old_item else None
    if old is None or old.get("owner_id") != owner_id:
        return _not_found(quiz_id)
    return _version_conflict(quiz_id, expected_version, int(old["version"]))


def _not_found(quiz_id: str) -> QuizNotFound:
    return QuizNotFound(f"quiz {quiz_id} not found", details={"quiz_id": quiz_id})


def _version_conflict(quiz_id: str, expected: int, current: int) -> QuizVersionConflict:
    return QuizVersionConflict(
        f"quiz {quiz_id} changed meanwhile (version {current}, not {expected}); "
        "read it again and retry",
        details={"quiz_id": quiz_id, "version": current},
    )


def _unavailable(operation: str) -> ServiceUnavailable:
    return ServiceUnavailable(f"the quiz store did not answer ({operation}); retry shortly")

