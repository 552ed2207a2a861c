"""The quizzes table's item format, in one place (other contexts read it through the repository).

Item: ``quiz_id`` (key), ``owner_id``, ``owner_name``, ``created_at``, ``updated_at`` (ISO-8601
UTC), ``active`` (BOOL), ``version`` (N), ``name``, ``description``, ``category``, ``mode``,
``question_count`` (N), ``document`` (M: the ``QuizInput`` as JSON without nulls), and
``listing`` (``"<mode>#<category>"``) only while the quiz is active, which keeps the
``by_listing`` index sparse: it holds exactly the quizzes players can find.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from services.quizzes.model import Quiz, QuizInput
from services.quizzes.summaries import QuizListing, QuizSummary

Item = dict[str, Any]  # DynamoDB wire form: {"name": {"S": "..."}, ...}

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

SUMMARY_ATTRIBUTES = (
    "quiz_id", "name", "description", "category", "mode", "active", "question_count",
    "version", "updated_at",
)


def key(quiz_id: str) -> Item:
    return serialize({"quiz_id": quiz_id})


def serialize(values: Mapping[str, Any]) -> Item:
    return {name: _serializer.serialize(value) for name, value in values.items()}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _plain(_deserializer.deserialize(value)) for name, value in item.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the quiz document only holds integers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {name: _plain(inner) for name, inner in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(inner) for inner in value]
    return value


def quiz_to_item(quiz: Quiz) -> Item:
    document = quiz.document
    values: dict[str, Any] = {
        "quiz_id": quiz.quiz_id,
        "owner_id": quiz.owner_id,
        "owner_name": quiz.owner_name,
        "created_at": quiz.created_at,
        "updated_at": quiz.updated_at,
        "active": quiz.active,
        "version": quiz.version,
        "name": document.name,
        "description": document.description,
        "category": document.category,
        "mode": document.mode.value,
        "question_count": len(document.questions),
        "document": document.model_dump(mode="json", exclude_none=True),
    }
    if quiz.listing is not None:
        values["listing"] = quiz.listing
    return serialize(values)


def quiz_from_item(item: Mapping[str, Any]) -> Quiz:
    values = deserialize(item)
    return Quiz(
        quiz_id=values["quiz_id"],
        owner_id=values["owner_id"],
        owner_name=values["owner_name"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        active=values["active"],
        version=values["version"],
        document=QuizInput.model_validate(values["document"]),
    )


def summary_from_item(item: Mapping[str, Any]) -> QuizSummary:
    values = deserialize(item)
    return QuizSummary(**{name: values[name] for name in SUMMARY_ATTRIBUTES})


def listing_from_item(item: Mapping[str, Any]) -> QuizListing:
    values = deserialize(item)
    return QuizListing(
        quiz_id=values["quiz_id"],
        name=values["name"],
        description=values.get("description", ""),
        category=values["category"],
        mode=values["mode"],
        owner_id=values["owner_id"],
        question_count=values["question_count"],
    )


def projection(attributes: Iterable[str]) -> dict[str, Any]:
    """ProjectionExpression with a placeholder per attribute (``name`` is a reserved word)."""
    names = {f"#p{index}": attribute for index, attribute in enumerate(attributes)}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
