"""The local moto's DynamoDB responses (infra/local/moto_serialize.py): attribute values that are
already wire format are passed through, and every response reads exactly as moto's own."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.serialize import BaseJSONSerializer

from infra.local import moto_serialize

pytestmark = pytest.mark.integration

TABLE = "Plays"
ITEM: dict[str, Any] = {
    "play_id": {"S": "p1"},
    "score": {"N": "12.5"},
    "ranked": {"BOOL": False},
    "nothing": {"NULL": True},
    "empty": {"S": ""},
    "tags": {"SS": ["a", "b"]},
    "counts": {"NS": ["1", "2"]},
    "questions": {"L": [
        {"M": {"text": {"S": "Red Planet?"}, "options": {"L": [{"S": "Mars"}, {"S": "Venus"}]},
               "points": {"N": "10"}}},
        {"M": {"nested": {"M": {"deep": {"L": [{"BOOL": True}, {"NULL": True}]}}}}},
    ]},
    "blob": {"B": b"\x00\x01raw"},
    "blobs": {"M": {"set": {"BS": [b"x", b"y"]}}},
}


def _responses(client: Any) -> list[dict[str, Any]]:
    client.put_item(TableName=TABLE, Item=ITEM)
    answers = [
        client.get_item(TableName=TABLE, Key={"play_id": {"S": "p1"}}, ConsistentRead=True),
        client.query(TableName=TABLE, KeyConditionExpression="play_id = :p",
                     ExpressionAttributeValues={":p": {"S": "p1"}}),
        client.scan(TableName=TABLE),
        client.update_item(TableName=TABLE, Key={"play_id": {"S": "p1"}},
                           UpdateExpression="SET score = :s", ReturnValues="ALL_NEW",
                           ExpressionAttributeValues={":s": {"N": "3"}}),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata")
    return answers


def _run(patched: bool, monkeypatch: pytest.MonkeyPatch, passed: list[Any]
         ) -> list[dict[str, Any]]:
    with monkeypatch.context() as patch:
        patch.setattr(BaseJSONSerializer, "_serialize_type_structure",
                      BaseJSONSerializer._serialize_type_structure)
        if patched:
            moto_serialize.install()
            is_plain = moto_serialize.is_plain

            def seen(value: Any) -> bool:
                plain = is_plain(value)
                if plain:
                    passed.append(value)
                return plain

            patch.setattr(moto_serialize, "is_plain", seen)
        with mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            client.create_table(
                TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "play_id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "play_id", "KeyType": "HASH"}])
            return _responses(client)


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
    passed: list[Any] = []
    yield _run(False, monkeypatch, passed), _run(True, monkeypatch, passed), passed


def test_responses_read_as_moto_own(both: tuple[list[Any], list[Any], list[Any]]) -> None:
    own, patched, passed = both
    assert ITEM["questions"] in passed  # the fast path was taken...
    assert patched == own  # ...and changed nothing
    assert patched[0]["Item"]["questions"] == ITEM["questions"]
    assert patched[0]["Item"]["blob"] == {"B": b"\x00\x01raw"}  # binary took moto's path


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ({"S": "x"}, True),
        ({"N": "1"}, True),
        ({"NULL": True}, True),
        ({"SS": ["a"]}, True),
        ({"L": [{"M": {"a": {"BOOL": False}}}]}, True),
        ({"B": base64.b64encode(b"x").decode()}, False),
        ({"M": {"a": {"BS": ["eA=="]}}}, False),
        ({"N": 1}, False),
        ({"S": "x", "N": "1"}, False),
        ("x", False),
    ],
)
def test_is_plain(value: Any, plain: bool) -> None:
    assert moto_serialize.is_plain(value) is plain
