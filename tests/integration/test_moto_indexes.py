"""The local moto's index queries (infra/local/moto_indexes.py): a query of an index keyed by
the table's partition key reads only that partition, with the same answers as moto's own path:
items, order, counts, pages and filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from infra.local import moto_indexes

pytestmark = pytest.mark.integration

TABLE = "Leaderboards"
QUIZZES = ("q1", "q2", "q3")


def _table(client: Any) -> None:
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "quiz_id", "AttributeType": "S"},
                              {"AttributeName": "player_id", "AttributeType": "S"},
                              {"AttributeName": "score", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "quiz_id", "KeyType": "HASH"},
                   {"AttributeName": "player_id", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{
            "IndexName": "by_score",
            "KeySchema": [{"AttributeName": "quiz_id", "KeyType": "HASH"},
                          {"AttributeName": "score", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])
    for quiz in QUIZZES:
        for n in range(30):
            client.put_item(TableName=TABLE, Item={
                "quiz_id": {"S": quiz}, "player_id": {"S": f"p{n:02d}"},
                "score": {"N": str((n * 7) % 31)}})


QUERIES: list[dict[str, Any]] = [
    {"IndexName": "by_score", "KeyConditionExpression": "quiz_id = :q",
     "ExpressionAttributeValues": {":q": {"S": "q2"}}, "ScanIndexForward": False, "Limit": 5},
    {"IndexName": "by_score", "KeyConditionExpression": "quiz_id = :q AND score > :s",
     "ExpressionAttributeValues": {":q": {"S": "q1"}, ":s": {"N": "20"}}, "Select": "COUNT"},
    {"IndexName": "by_score", "KeyConditionExpression": "quiz_id = :q AND score BETWEEN :a AND :b",
     "FilterExpression": "player_id <> :p",
     "ExpressionAttributeValues": {":q": {"S": "q3"}, ":a": {"N": "3"}, ":b": {"N": "12"},
                                   ":p": {"S": "p05"}}},
    {"IndexName": "by_score", "KeyConditionExpression": "quiz_id = :q",
     "ExpressionAttributeValues": {":q": {"S": "nobody"}}},
    {"KeyConditionExpression": "quiz_id = :q",  # the table itself: moto's own path
     "ExpressionAttributeValues": {":q": {"S": "q1"}}, "Limit": 4},
]


def _all_pages(client: Any, query: dict[str, Any]) -> list[dict[str, Any]]:
    pages, request = [], {"TableName": TABLE, **query}
    while True:
        page = client.query(**request)
        pages.append({k: v for k, v in page.items() if k != "ResponseMetadata"})
        if "LastEvaluatedKey" not in page:
            return pages
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.fixture
def answers_before_and_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list, list]]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _table(client)
        before = [_all_pages(client, query) for query in QUERIES]
        # Patched for this test only: monkeypatch puts moto's own back afterwards.
        monkeypatch.setattr(Table, "query", Table.query)
        monkeypatch.setattr(Table, "all_items", Table.all_items)
        moto_indexes.install()
        listed: list[int] = []
        scoped = Table.all_items

        def counting(self: Any) -> list[Any]:
            items = scoped(self)
            listed.append(len(items))
            return items

        monkeypatch.setattr(Table, "all_items", counting)
        after = [_all_pages(client, query) for query in QUERIES[:-1]]
        # the index queries list one quiz's items at most, never all 90
        assert listed and max(listed) <= 30, listed
        after.append(_all_pages(client, QUERIES[-1]))
        yield before, after


def test_index_queries_answer_as_moto_does_reading_one_partition(
    answers_before_and_after: tuple[list, list],
) -> None:
    before, after = answers_before_and_after
    assert after == before
    assert before[0][0]["Count"] == 5 and before[1][0]["Count"] > 0
