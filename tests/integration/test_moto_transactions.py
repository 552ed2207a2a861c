"""The local moto's transaction rollback (infra/local/moto_transactions.py): a cancelled
transaction leaves every touched item as it was, a committed one changes them, and a
transaction's cost does not grow with the size of its table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb import models

from infra.local import moto_transactions

pytestmark = pytest.mark.integration

TABLE = "Players"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Patched for this test only: monkeypatch puts moto's own back afterwards.
    monkeypatch.setattr(models.DynamoDBBackend, "transact_write_items",
                        models.DynamoDBBackend.transact_write_items)
    monkeypatch.setattr(models, "copy", models.copy)
    moto_transactions.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "player_id", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "player_id", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])
        yield client


def _credit(client: Any, marker: str, experience: int, *, guard: str | None = None) -> None:
    update: dict[str, Any] = {
        "TableName": TABLE, "Key": {"player_id": {"S": "ada"}, "sk": {"S": "profile"}},
        "UpdateExpression": "ADD experience :x",
        "ExpressionAttributeValues": {":x": {"N": str(experience)}}}
    if guard:
        update["ConditionExpression"] = guard
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {"player_id": {"S": "ada"}, "sk": {"S": marker}},
                 "ConditionExpression": "attribute_not_exists(sk)"}},
        {"Update": update}])


def _item(client: Any, sk: str) -> dict[str, Any] | None:
    return client.get_item(TableName=TABLE,
                           Key={"player_id": {"S": "ada"}, "sk": {"S": sk}}).get("Item")


def test_a_cancelled_transaction_changes_nothing(dynamodb: Any) -> None:
    _credit(dynamodb, "credit#1", 10)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        _credit(dynamodb, "credit#1", 10)  # the marker exists: the update is rolled back
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        _credit(dynamodb, "credit#2", 5, guard="attribute_not_exists(player_id)")
    assert _item(dynamodb, "profile") == {"player_id": {"S": "ada"}, "sk": {"S": "profile"},
                                          "experience": {"N": "10"}}
    assert _item(dynamodb, "credit#2") is None


def test_a_transaction_never_copies_a_whole_table(dynamodb: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's own rollback deep-copies every touched table (its cost grows with the table);
    ours saves the touched items only. Structural, not timed: a table copy would raise."""
    from moto.dynamodb.models.table import Table

    def refuse(table: Any, memo: Any) -> Any:
        raise AssertionError("a whole table was copied for a transaction")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    for n in range(20):
        _credit(dynamodb, f"credit#{n}", 1)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        _credit(dynamodb, "credit#0", 1)
    assert _item(dynamodb, "profile") == {"player_id": {"S": "ada"}, "sk": {"S": "profile"},
                                          "experience": {"N": "20"}}
