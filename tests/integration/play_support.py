"""Shared set-up for the single-player, leaderboard and player integration tests.

moto runs in-process; tables, topics and the user pool are created from ``infra/template.yaml``
(via ``infra.wiring``), and the handlers get the environment the template's Globals declare.
Events are built from the JSON fixtures in ``tests/fixtures/events``. Not a test module: the
fixtures and builders here are imported by the tests that need them.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from infra.wiring import load_template, resolve
from services.core import aws
from services.players import compose as players_compose
from services.scores import compose as scores_compose
from services.single import compose as single_compose

pytestmark = pytest.mark.integration

REGION = "us-east-1"
WIRING = load_template()
EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
# The CloudFormation table properties that are CreateTable parameters of the same name.
TABLE_PARAMETERS = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)
_COMPOSITION_CACHES = (
    single_compose.play_services,
    scores_compose.leaderboard_store,
    players_compose.account_services,
    players_compose.profile_store,
    aws.client,
)


@dataclass
class LocalAws:
    """The resources of the template inside moto, and clients to look at them."""

    dynamodb: Any
    sns: Any
    sqs: Any
    cognito: Any
    refs: dict[str, str] = field(default_factory=dict)  # logical id -> name, ARN or id
    _queues: dict[str, str] = field(default_factory=dict)  # topic logical id -> queue URL

    def published(self, topic: str) -> list[str]:
        """Messages published to ``topic`` since the last call (an SQS queue subscribes)."""
        messages: list[str] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self._queues[topic], MaxNumberOfMessages=10
            ).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                messages.append(message["Body"])
                self.sqs.delete_message(
                    QueueUrl=self._queues[topic], ReceiptHandle=message["ReceiptHandle"]
                )

    def create_topic(self, logical_id: str) -> None:
        """Create the topic (again: moto gives a re-created topic the same ARN) and subscribe
        its queue to it."""
        topic_arn = self.sns.create_topic(Name=logical_id)["TopicArn"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self._queues[logical_id], AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        self.refs[logical_id] = topic_arn

    def items(self, table: str) -> list[dict[str, Any]]:
        return self.dynamodb.scan(TableName=self.refs[table], ConsistentRead=True)["Items"]


@contextmanager
def local_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    for name, value in {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    _serialize_moto(monkeypatch)
    _clear_compositions()
    try:
        with mock_aws():
            cloud = LocalAws(*(boto3.client(name, region_name=REGION) for name in (
                "dynamodb", "sns", "sqs", "cognito-idp")))
            _create_tables(cloud)
            _create_topics(cloud)
            _create_user_pool(cloud)
            environment = resolve(WIRING.global_environment, cloud.refs)
            for name, value in environment.items():
                monkeypatch.setenv(name, str(value))
            yield cloud
    finally:
        _clear_compositions()


def _serialize_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """One moto request at a time, as the local cloud does (decision 0002): moto's backends
    are not thread-safe, and AWS evaluates a condition and its write atomically."""
    lock = threading.RLock()
    process = BotocoreStubber.process_request

    def serialized(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return process(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", serialized)


def _clear_compositions() -> None:
    for cached in _COMPOSITION_CACHES:
        cached.cache_clear()


def _create_tables(cloud: LocalAws) -> None:
    for logical_id, properties in WIRING.of_type("AWS::DynamoDB::Table").items():
        parameters = {name: properties[name] for name in TABLE_PARAMETERS if name in properties}
        cloud.dynamodb.create_table(TableName=logical_id, **parameters)
        cloud.refs[logical_id] = logical_id


def _create_topics(cloud: LocalAws) -> None:
    for logical_id in WIRING.of_type("AWS::SNS::Topic"):
        queue_url = cloud.sqs.create_queue(QueueName=f"{logical_id}-subscriber")["QueueUrl"]
        cloud._queues[logical_id] = queue_url
        cloud.create_topic(logical_id)


def _create_user_pool(cloud: LocalAws) -> None:
    (pool_id, pool), = WIRING.of_type("AWS::Cognito::UserPool").items()
    (client_id, client), = WIRING.of_type("AWS::Cognito::UserPoolClient").items()
    created = cloud.cognito.create_user_pool(
        PoolName=pool["UserPoolName"],
        Policies=pool["Policies"],
        UsernameConfiguration=pool["UsernameConfiguration"],
        Schema=pool["Schema"],
    )["UserPool"]
    app_client = cloud.cognito.create_user_pool_client(
        UserPoolId=created["Id"],
        ClientName=client["ClientName"],
        GenerateSecret=client["GenerateSecret"],
        ExplicitAuthFlows=client["ExplicitAuthFlows"],
    )["UserPoolClient"]
    cloud.refs[pool_id] = created["Id"]
    cloud.refs[client_id] = app_client["ClientId"]


# ---------------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Player:
    player_id: str
    username: str

    @property
    def claims(self) -> dict[str, str]:
        return {"sub": self.player_id, "username": self.username}


def http_event(
    route_key: str,
    *,
    player: Player | None,
    path: Mapping[str, str] | None = None,
    body: Any = None,
    query: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A payload-2.0 event as API Gateway sends it after its JWT authorizer let it through
    (no authorizer context for a public route, ``player=None``)."""
    event = copy.deepcopy(json.loads((EVENTS / "single_http_request.json").read_text()))
    method, template = route_key.split(" ", 1)
    raw_path = template.format(**(path or {}))
    event.update(routeKey=route_key, rawPath=raw_path, pathParameters=dict(path or {}))
    event["rawQueryString"] = urlencode(query or {})
    if query:
        event["queryStringParameters"] = dict(query)
    event["body"] = body if body is None or isinstance(body, str) else json.dumps(body)
    if event["body"] is None:
        del event["body"]
    context = event["requestContext"]
    context.update(routeKey=route_key, http={**context["http"], "method": method, "path": raw_path})
    if player is None:
        del context["authorizer"]
    else:
        context["authorizer"]["jwt"]["claims"].update(player.claims)
    return event


def call(handler: Any, event: dict[str, Any]) -> tuple[int, Any]:
    """Invoke a Lambda HTTP handler; return the status and the decoded JSON body."""
    response = handler(event, None)
    body = response.get("body")
    return response["statusCode"], json.loads(body) if body else None


def sns_event(*messages: str) -> dict[str, Any]:
    """A Lambda SNS event with one record per message, shaped like the fixture."""
    fixture = json.loads((EVENTS / "scores_sns_player_result.json").read_text())
    record = fixture["Records"][0]
    records = []
    for number, message in enumerate(messages):
        copied = copy.deepcopy(record)
        copied["Sns"].update(Message=message, MessageId=f"message-{number}")
        records.append(copied)
    return {"Records": records}
