"""Plays in DynamoDB (PlaysTable, key ``play_id``).

Two kinds of item share the table:
- a play: who started it, the quiz and its owner, when, the question snapshot (answers
  included: this table is never shown to players as is), and once submitted the answers, the
  time and the result;
- a first-completion marker, ``play_id = "first#<quiz_id>#<player_id>"``: present once the
  player has completed a play of the quiz. It is what makes the first completed play ranked.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import TypeAdapter

from services.core.completions import FIRST_COMPLETION, first_completion_key
from services.core.errors import ServiceUnavailable
from services.core.provider_errors import error_code, transient_errors
from services.quizzes.model import Question as QuestionModel
from services.single.plays import (
    Play,
    PlayAlreadySubmitted,
    PlayQuestion,
    Question,
    QuizAlreadyCompleted,
    Submission,
)

PLAY = "play"

# A new play never overwrites another (ids are random; this makes a collision loud).
NEW_PLAY = "attribute_not_exists(play_id)"
# One submission per play: of two submits racing on one play, only the first is written.
NOT_YET_SUBMITTED = "attribute_exists(play_id) AND attribute_not_exists(submitted_at)"
# The first completed play counts: of two plays of one quiz finishing together, one is ranked.
NO_COMPLETED_PLAY_YET = "attribute_not_exists(play_id)"

_SUBMIT = "SET #submitted_at = :submitted_at, #answers = :answers, #result = :result"
_SUBMIT_NAMES = {"#submitted_at": "submitted_at", "#answers": "answers", "#result": "result"}


_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_question: TypeAdapter[Question] = TypeAdapter(QuestionModel)


class DynamoPlayStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, play: Play) -> None:
        try:
            with transient_errors("play store"):
                self._client.put_item(
                    TableName=self._table, Item=_play_item(play), ConditionExpression=NEW_PLAY
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise ServiceUnavailable("could not store the play; try again") from None
            raise

    def get(self, play_id: str) -> Play | None:
        with transient_errors("play store"):
            response = self._client.get_item(
                TableName=self._table, Key=_key(play_id), ConsistentRead=True
            )
        item = _plain(response.get("Item") or {})
        if item.get("item_type") != PLAY:
            return None
        return _play(item)

    def record_first_completion(self, play: Play, submission: Submission) -> None:
        marker = {
            "play_id": first_completion_key(play.quiz_id, play.player_id),
            "item_type": FIRST_COMPLETION,
            "quiz_id": play.quiz_id,
            "player_id": play.player_id,
            "first_play_id": play.play_id,
            "completed_at": submission.submitted_at,
        }
        try:
            with transient_errors("play store"):
                self._client.transact_write_items(
                    TransactItems=[
                        {"Update": self._submit_update(play.play_id, submission)},
                        {"Put": {
                            "TableName": self._table,
                            "Item": _dynamo(marker),
                            "ConditionExpression": NO_COMPLETED_PLAY_YET,
                        }},
                    ]
                )
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            play_reason, marker_reason = _cancellation_codes(error, 2)
            if play_reason == "ConditionalCheckFailed":
                raise PlayAlreadySubmitted(play.play_id) from None
            if marker_reason == "ConditionalCheckFailed":
                raise QuizAlreadyCompleted(play.quiz_id) from None
            raise ServiceUnavailable("the submission collided with another; try again") from None

    def record_submission(self, play: Play, submission: Submission) -> None:
        try:
            with transient_errors("play store"):
                self._client.update_item(**self._submit_update(play.play_id, submission))
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise PlayAlreadySubmitted(play.play_id) from None
            raise

    def _submit_update(self, play_id: str, submission: Submission) -> dict[str, Any]:
        result = {
            "ranked": submission.ranked,
            "score": submission.score,
            "correct": submission.correct,
            "total": submission.total,
            "experience": submission.experience,
        }
        return {
            "TableName": self._table,
            "Key": _key(play_id),
            "UpdateExpression": _SUBMIT,
            "ConditionExpression": NOT_YET_SUBMITTED,
            "ExpressionAttributeNames": _SUBMIT_NAMES,
            "ExpressionAttributeValues": _dynamo({
                ":submitted_at": submission.submitted_at,
                ":answers": dict(submission.answers),
                ":result": result,
            }),
        }


def _play_item(play: Play) -> dict[str, Any]:
    return _dynamo({
        "play_id": play.play_id,
        "item_type": PLAY,
        "player_id": play.player_id,
        "username": play.username,
        "quiz_id": play.quiz_id,
        "quiz_owner_id": play.quiz_owner_id,
        "started_at": play.started_at,
        "questions": [
            {"question_id": q.question_id, **q.question.model_dump(mode="json", exclude_none=True)}
            for q in play.questions
        ],
    })


def _play(item: Mapping[str, Any]) -> Play:
    return Play(
        play_id=item["play_id"],
        player_id=item["player_id"],
        username=item["username"],
        quiz_id=item["quiz_id"],
        quiz_owner_id=item["quiz_owner_id"],
        started_at=item["started_at"],
        questions=tuple(_play_question(stored) for stored in item["questions"]),
        submission=_submission(item) if "submitted_at" in item else None,
    )


def _play_question(stored: Mapping[str, Any]) -> PlayQuestion:
    fields = {name: value for name, value in stored.items() if name != "question_id"}
    question = _question.validate_python(fields)
    return PlayQuestion(question_id=stored["question_id"], question=question)


def _submission(item: Mapping[str, Any]) -> Submission:
    result = item["result"]
    return Submission(
        answers=dict(item["answers"]),
        submitted_at=item["submitted_at"],
        ranked=bool(result["ranked"]),
        score=result["score"],
        correct=result["correct"],
        total=result["total"],
        experience=result["experience"],
    )


def _key(play_id: str) -> dict[str, Any]:
    return {"play_id": {"S": play_id}}


def _dynamo(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _native(_deserializer.deserialize(value)) for name, value in item.items()}


def _native(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; every number we store is an integer."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {key: _native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_native(item) for item in value]
    return value



def _cancellation_codes(error: ClientError, count: int) -> list[str]:
    reasons = error.response.get("CancellationReasons") or []
    codes = [str(reason.get("Code") or "None") for reason in reasons]
    return (codes + ["None"] * count)[:count]

