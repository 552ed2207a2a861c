"""The quiz repository contract, run against the in-memory fake and DynamoDB (moto) alike, plus
what only DynamoDB has: the item format, the sparse index, paging and provider errors."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from services.core.errors import QuizNotFound, ServiceUnavailable, ValidationFailed
from services.core.http import validate
from services.quizzes.errors import QuizIdTaken, QuizVersionConflict
from services.quizzes.memory import InMemoryQuizRepository
from services.quizzes.model import Mode, Quiz, QuizInput
from services.quizzes.ports import QuizRepository
from services.quizzes.repository import DynamoQuizRepository, QuizListing
from tests.fixtures.quizzes.support import (
    competitive_document,
    create_quizzes_table,
    sample_document,
)

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
_serial = itertools.count(1)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_quizzes_table(client)
        yield client


@pytest.fixture
def dynamo(aws: Any) -> DynamoQuizRepository:
    return DynamoQuizRepository(aws, "quizzes-test", sleep=lambda _: None)


@pytest.fixture(params=["memory", "dynamo"])
def repository(request: pytest.FixtureRequest) -> QuizRepository:
    if request.param == "memory":
        return InMemoryQuizRepository()
    return request.getfixturevalue("dynamo")


def a_quiz(
    owner_id: str = "ada-id", *, active: bool = False, document: dict[str, Any] | None = None
) -> Quiz:
    n = next(_serial)
    return Quiz(
        quiz_id=f"quiz-{n:05d}",
        owner_id=owner_id,
        owner_name=owner_id.removesuffix("-id"),
        created_at=f"2030-01-01T00:00:00.{n:06d}Z",
        updated_at=f"2030-01-01T00:00:00.{n:06d}Z",
        active=active,
        document=validate(QuizInput, document or sample_document()),
    )


def edited(quiz: Quiz, name: str) -> Quiz:
    """The next version of ``quiz`` as an editor would write it."""
    document = validate(QuizInput, sample_document(name=name))
    return quiz.model_copy(update={"version": quiz.version + 1, "document": document})


# ---------------------------------------------------------------- contract (fake and moto)


def test_a_created_quiz_reads_back_equal(repository: QuizRepository) -> None:
    quiz = a_quiz(document=competitive_document())
    repository.create(quiz)
    assert repository.get(quiz.quiz_id) == quiz


@pytest.mark.parametrize("quiz_id", ["nope", "", "bad id", "x" * 65, "../etc"])
def test_unknown_and_malformed_ids_read_as_none(repository: QuizRepository, quiz_id: str) -> None:
    assert repository.get(quiz_id) is None


def test_create_never_overwrites_an_existing_id(repository: QuizRepository) -> None:
    quiz = a_quiz()
    repository.create(quiz)
    with pytest.raises(QuizIdTaken):
        repository.create(quiz.model_copy(update={"owner_id": "bob-id"}))
    assert repository.get(quiz.quiz_id) == quiz


def test_replace_at_the_expected_version(repository: QuizRepository) -> None:
    quiz = a_quiz()
    repository.create(quiz)
    newer = edited(quiz, "v2")
    repository.replace(newer, expected_version=1)
    assert repository.get(quiz.quiz_id) == newer


def test_a_lost_update_is_a_conflict(repository: QuizRepository) -> None:
    quiz = a_quiz()
    repository.create(quiz)
    first, second = edited(quiz, "first"), edited(quiz, "second")
    repository.replace(first, expected_version=1)
    with pytest.raises(QuizVersionConflict) as caught:
        repository.replace(second, expected_version=1)
    assert caught.value.details["version"] == 2
    assert repository.get(quiz.quiz_id) == first


def test_replace_of_a_foreign_or_unknown_quiz_is_not_found(repository: QuizRepository) -> None:
    quiz = a_quiz()
    repository.create(quiz)
    with pytest.raises(QuizNotFound):
        repository.replace(quiz.model_copy(update={"owner_id": "bob-id", "version": 2}), 1)
    with pytest.raises(QuizNotFound):
        repository.replace(a_quiz(), expected_version=1)
    assert repository.get(quiz.quiz_id) == quiz


def test_delete_only_the_owners_quiz(repository: QuizRepository) -> None:
    quiz = a_quiz()
    repository.create(quiz)
    with pytest.raises(QuizNotFound):
        repository.delete(quiz.quiz_id, "bob-id")
    assert repository.get(quiz.quiz_id) == quiz
    repository.delete(quiz.quiz_id, "ada-id")
    assert repository.get(quiz.quiz_id) is None
    with pytest.raises(QuizNotFound):
        repository.delete(quiz.quiz_id, "ada-id")
    with pytest.raises(QuizNotFound):
        repository.delete("not an id", "ada-id")


def test_list_by_owner_is_newest_first_and_only_the_owners(repository: QuizRepository) -> None:
    mine = [a_quiz(), a_quiz(document=sample_document(name="Second", mode="live")), a_quiz()]
    for quiz in [*mine, a_quiz("bob-id")]:
        repository.create(quiz)
    summaries = repository.list_by_owner("ada-id")
    assert [s.quiz_id for s in summaries] == [q.quiz_id for q in reversed(mine)]
    second = summaries[1]
    assert (second.name, second.mode, second.active, second.version) == ("Second", "live", False, 1)
    assert (second.question_count, second.updated_at) == (2, mine[1].updated_at)
    assert repository.list_by_owner("nobody") == []


def test_set_active_lists_and_unlists_by_mode_and_category(repository: QuizRepository) -> None:
    science = a_quiz(document=sample_document(category="science", name="Atoms"))
    geography = a_quiz(document=sample_document(name="Capitals"))
    hidden = a_quiz(document=sample_document(category="science", name="Hidden"))
    for quiz in (science, geography, hidden):
        repository.create(quiz)
    activated = repository.set_active(science.quiz_id, "ada-id", True)
    repository.set_active(geography.quiz_id, "ada-id", True, expected_version=1)
    assert activated == science.model_copy(update={"active": True})
    assert repository.get(science.quiz_id) == activated
    assert repository.list_listed(Mode.SINGLE, "science") == [
        QuizListing(science.quiz_id, "Atoms", "Warm-up round", "science", "single", "ada-id", 2)
    ]
    assert [x.name for x in repository.list_listed("single", None)] == ["Capitals", "Atoms"]
    assert repository.list_listed("live", None) == []
    repository.set_active(science.quiz_id, "ada-id", False)
    assert [x.name for x in repository.list_listed("single", None)] == ["Capitals"]
    assert repository.list_listed("single", "science") == []


def test_set_active_refuses_foreign_unknown_and_stale(repository: QuizRepository) -> None:
    quiz = a_quiz()
    repository.create(quiz)
    with pytest.raises(QuizNotFound):
        repository.set_active(quiz.quiz_id, "bob-id", True)
    with pytest.raises(QuizNotFound):
        repository.set_active("quiz-unknown", "ada-id", True)
    with pytest.raises(QuizVersionConflict):
        repository.set_active(quiz.quiz_id, "ada-id", True, expected_version=7)
    assert repository.get(quiz.quiz_id) == quiz
    assert repository.list_listed("single", None) == []


def test_list_listed_honours_its_limit(repository: QuizRepository) -> None:
    for n in range(5):
        quiz = a_quiz(document=sample_document(name=f"Quiz {n}"))
        repository.create(quiz)
        repository.set_active(quiz.quiz_id, "ada-id", True)
    assert len(repository.list_listed("single", "geography", limit=3)) == 3
    assert len(repository.list_listed("single", None, limit=2)) == 2
    assert len(repository.list_listed("single", None)) == 5
    assert repository.list_listed("single", None, limit=0) == []


def test_list_listed_takes_categories_as_quizzes_store_them(repository: QuizRepository) -> None:
    quiz = a_quiz()
    repository.create(quiz)
    repository.set_active(quiz.quiz_id, "ada-id", True)
    assert [x.quiz_id for x in repository.list_listed("single", " Geography ")] == [quiz.quiz_id]


@pytest.mark.parametrize(
    ("mode", "category"), [("solo", None), ("single", "Science & Nature"), ("single", "x" * 500)]
)
def test_list_listed_refuses_bad_filters(
    repository: QuizRepository, mode: str, category: str | None
) -> None:
    with pytest.raises(ValidationFailed):
        repository.list_listed(mode, category)


# ---------------------------------------------------------------- DynamoDB only


def raw_item(client: Any, quiz_id: str) -> dict[str, Any]:
    return client.get_item(TableName="quizzes-test", Key={"quiz_id": {"S": quiz_id}})["Item"]


def test_the_item_format_other_contexts_rely_on(aws: Any, dynamo: DynamoQuizRepository) -> None:
    quiz = a_quiz(document=sample_document(description="", source=None))
    dynamo.create(quiz)
    item = raw_item(aws, quiz.quiz_id)
    assert {name: next(iter(value)) for name, value in item.items()} == {
        "quiz_id": "S",
        "owner_id": "S",
        "owner_name": "S",
        "created_at": "S",
        "updated_at": "S",
        "active": "BOOL",
        "version": "N",
        "name": "S",
        "description": "S",
        "category": "S",
        "mode": "S",
        "question_count": "N",
        "document": "M",
    }
    assert item["question_count"] == {"N": "2"}
    assert item["mode"] == {"S": "single"}
    document = item["document"]["M"]
    assert "source" not in document and "follow_up" not in document["questions"]["L"][1]["M"]
    assert document["time_limit_seconds"] == {"N": "25"}


def test_only_active_quizzes_carry_a_listing_so_the_index_stays_sparse(
    aws: Any, dynamo: DynamoQuizRepository
) -> None:
    quiz = a_quiz()
    dynamo.create(quiz)
    dynamo.set_active(quiz.quiz_id, "ada-id", True)
    assert raw_item(aws, quiz.quiz_id)["listing"] == {"S": "single#geography"}
    dynamo.set_active(quiz.quiz_id, "ada-id", False)
    assert "listing" not in raw_item(aws, quiz.quiz_id)
    index = aws.scan(TableName="quizzes-test", IndexName="by_listing")
    assert index["Items"] == []


def test_list_by_owner_pages_past_one_batch(aws: Any, dynamo: DynamoQuizRepository) -> None:
    quizzes = [a_quiz() for _ in range(130)]
    for quiz in quizzes:
        dynamo.create(quiz)
    listed = dynamo.list_by_owner("ada-id")
    assert [s.quiz_id for s in listed] == [q.quiz_id for q in reversed(quizzes)]


class _Flaky:
    """A moto client that leaves keys unprocessed or fails as told, and records its calls."""

    def __init__(self, client: Any, *, unprocessed_rounds: int = 0, error: str | None = None):
        self._client = client
        self.unprocessed_rounds = unprocessed_rounds
        self.error = error
        self.batch_sizes: list[int] = []

    def __getattr__(self, name: str) -> Any:
        if self.error:
            def fail(**_: Any) -> Any:
                raise ClientError({"Error": {"Code": self.error, "Message": "x"}}, name)

            return fail
        return getattr(self._client, name)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        (table, request), = RequestItems.items()
        self.batch_sizes.append(len(request["Keys"]))
        if self.unprocessed_rounds:
            self.unprocessed_rounds -= 1
            kept, left = request["Keys"][:1], request["Keys"][1:]
            response = self._client.batch_get_item(RequestItems={table: {**request, "Keys": kept}})
            response["UnprocessedKeys"] = {table: {**request, "Keys": left}} if left else {}
            return response
        return self._client.batch_get_item(RequestItems=RequestItems)


def test_unprocessed_keys_are_asked_for_again(aws: Any) -> None:
    flaky = _Flaky(aws, unprocessed_rounds=2)
    repository = DynamoQuizRepository(flaky, "quizzes-test", sleep=lambda _: None)
    quizzes = [a_quiz() for _ in range(4)]
    for quiz in quizzes:
        repository.create(quiz)
    assert [s.quiz_id for s in repository.list_by_owner("ada-id")] == [
        q.quiz_id for q in reversed(quizzes)
    ]
    assert flaky.batch_sizes == [4, 3, 2]


def test_keys_left_unprocessed_for_too_long_are_a_retryable_error(aws: Any) -> None:
    flaky = _Flaky(aws, unprocessed_rounds=10)
    slept: list[float] = []
    repository = DynamoQuizRepository(
        flaky, "quizzes-test", max_batch_attempts=3, sleep=slept.append
    )
    for _ in range(5):
        repository.create(a_quiz())
    with pytest.raises(ServiceUnavailable) as caught:
        repository.list_by_owner("ada-id")
    assert caught.value.retryable
    assert len(slept) == 2 and slept[0] < slept[1]


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"]
)
def test_throttling_and_outages_become_service_unavailable(aws: Any, code: str) -> None:
    repository = DynamoQuizRepository(_Flaky(aws, error=code), "quizzes-test")
    with pytest.raises(ServiceUnavailable):
        repository.get("quiz-1")
    with pytest.raises(ServiceUnavailable):
        repository.create(a_quiz())


def test_other_provider_errors_are_not_disguised(aws: Any) -> None:
    repository = DynamoQuizRepository(_Flaky(aws, error="ResourceNotFoundException"), "t")
    with pytest.raises(ClientError):
        repository.get("quiz-1")
