"""The local cloud creates the real template's resources in moto exactly as declared."""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.cloud import BackgroundCloud, CloudConfig, CloudError, LocalCloud
from infra.wiring import load_template, resolve

pytestmark = pytest.mark.integration

WIRING = load_template()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundCloud]:
    data_dir = tmp_path_factory.mktemp("cloud")
    config = CloudConfig(data_dir=data_dir, endpoints_file=data_dir / "endpoints.json", seed=False)
    with BackgroundCloud(config) as running:
        yield running


@pytest.fixture(scope="module")
def aws(cloud: BackgroundCloud) -> Any:
    endpoints = cloud.cloud.endpoints
    assert endpoints is not None

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoints.aws_endpoint_url,
            region_name=endpoints.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


def _by_name(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


@pytest.mark.parametrize("logical_id", sorted(WIRING.of_type("AWS::DynamoDB::Table")))
def test_every_table_is_created_as_declared(aws: Any, logical_id: str) -> None:
    declared = WIRING.of_type("AWS::DynamoDB::Table")[logical_id]
    table = aws("dynamodb").describe_table(TableName=f"trivia-{logical_id}")["Table"]

    assert table["KeySchema"] == declared["KeySchema"]
    assert _by_name(table["AttributeDefinitions"], "AttributeName") == _by_name(
        declared["AttributeDefinitions"], "AttributeName"
    )
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        created = _by_name(table.get(kind, []), "IndexName")
        wanted = _by_name(declared.get(kind, []), "IndexName")
        assert set(created) == set(wanted)
        for name, index in wanted.items():
            assert created[name]["KeySchema"] == index["KeySchema"]
            assert (
                created[name]["Projection"]["ProjectionType"]
                == (index["Projection"]["ProjectionType"])
            )
            assert sorted(created[name]["Projection"].get("NonKeyAttributes", [])) == sorted(
                index["Projection"].get("NonKeyAttributes", [])
            )


def test_only_declared_tables_and_topics_exist(aws: Any) -> None:
    tables = aws("dynamodb").list_tables()["TableNames"]
    topics = [t["TopicArn"].rsplit(":", 1)[1] for t in aws("sns").list_topics()["Topics"]]

    assert sorted(tables) == sorted(f"trivia-{t}" for t in WIRING.of_type("AWS::DynamoDB::Table"))
    assert sorted(topics) == sorted(f"trivia-{t}" for t in WIRING.of_type("AWS::SNS::Topic"))


def test_user_pool_and_client_are_created_as_declared(cloud: BackgroundCloud, aws: Any) -> None:
    endpoints = cloud.cloud.endpoints
    assert endpoints is not None
    declared_pool = WIRING.of_type("AWS::Cognito::UserPool")["UserPool"]
    declared_client = WIRING.of_type("AWS::Cognito::UserPoolClient")["UserPoolClient"]
    cognito = aws("cognito-idp")

    pool = cognito.describe_user_pool(UserPoolId=endpoints.user_pool_id)["UserPool"]
    client = cognito.describe_user_pool_client(
        UserPoolId=endpoints.user_pool_id, ClientId=endpoints.user_pool_client_id
    )["UserPoolClient"]

    assert pool["Name"] == declared_pool["UserPoolName"]
    policy = declared_pool["Policies"]["PasswordPolicy"]
    assert {k: v for k, v in pool["Policies"]["PasswordPolicy"].items() if k in policy} == policy
    assert pool["UsernameConfiguration"] == declared_pool["UsernameConfiguration"]
    email = _by_name(pool["SchemaAttributes"], "Name")["email"]
    assert email["Required"] is True and email["Mutable"] is True
    assert client["ClientName"] == declared_client["ClientName"]
    assert sorted(client["ExplicitAuthFlows"]) == sorted(declared_client["ExplicitAuthFlows"])
    assert "ClientSecret" not in client


def test_undeclared_or_unemulated_resources_are_not_created(aws: Any) -> None:
    # The SQS dead-letter queue is not emulated: locally dead letters are files.
    assert aws("sqs").list_queues().get("QueueUrls", []) == []


def test_handler_environment_is_the_resolved_globals(cloud: BackgroundCloud) -> None:
    resources = cloud.cloud.resources
    endpoints = cloud.cloud.endpoints
    assert resources is not None and endpoints is not None
    globals_ = resolve(dict(WIRING.global_environment), resources.refs, resources.attributes)

    for name, value in globals_.items():
        assert os.environ[name] == str(value)
    assert os.environ["QUIZZES_TABLE"] == "trivia-QuizzesTable"
    assert os.environ["LEADERBOARD_TOPIC_ARN"].endswith(":trivia-LeaderboardTopic")
    assert os.environ["USER_POOL_ID"] == endpoints.user_pool_id
    assert os.environ["AWS_REGION"] == os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert os.environ["AWS_ENDPOINT_URL"] == endpoints.aws_endpoint_url
    assert os.environ["REDIS_URL"] == endpoints.redis_url
    assert os.environ["JWKS_URL"] == (
        f"{endpoints.aws_endpoint_url}/{endpoints.user_pool_id}/.well-known/jwks.json"
    )


def test_jwks_is_served_where_the_environment_says(cloud: BackgroundCloud) -> None:
    with urllib.request.urlopen(os.environ["JWKS_URL"], timeout=5) as response:
        keys = json.loads(response.read())["keys"]

    assert [key["kid"] for key in keys] == ["dummy"]


def test_unsigned_cognito_calls_work(cloud: BackgroundCloud, aws: Any) -> None:
    endpoints = cloud.cloud.endpoints
    assert endpoints is not None
    cognito = aws("cognito-idp")
    cognito.sign_up(
        ClientId=endpoints.user_pool_client_id,
        Username="ada",
        Password="Correct-Horse-1",
        UserAttributes=[{"Name": "email", "Value": "ada@example.com"}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=endpoints.user_pool_id, Username="ada")
    request = urllib.request.Request(
        endpoints.cognito_url,
        data=json.dumps(
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": endpoints.user_pool_client_id,
                "AuthParameters": {"USERNAME": "ada", "PASSWORD": "Correct-Horse-1"},
            }
        ).encode(),
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )

    with urllib.request.urlopen(request, timeout=5) as response:
        result = json.loads(response.read())["AuthenticationResult"]

    assert result["TokenType"] == "Bearer" and result["AccessToken"].count(".") == 2


def test_endpoints_file_is_written_with_every_endpoint(cloud: BackgroundCloud) -> None:
    config = cloud.cloud.config
    assert config.endpoints_file is not None
    written = json.loads(Path(config.endpoints_file).read_text())

    assert written == cloud.cloud.endpoints.model_dump()  # type: ignore[union-attr]
    assert written["http_api_url"].startswith("http://127.0.0.1:")
    assert written["redis_url"].startswith("redis://127.0.0.1:")
    assert written["data_dir"] == str(config.data_dir.resolve())


def test_redis_answers_and_lives_under_the_data_dir(cloud: BackgroundCloud) -> None:
    import redis

    endpoints = cloud.cloud.endpoints
    assert endpoints is not None and endpoints.redis_url is not None
    client = redis.Redis.from_url(endpoints.redis_url)
    try:
        assert client.ping() is True
        assert client.config_get("dir")["dir"] == str(cloud.cloud.data_dir / "redis")
        assert client.config_get("save")["save"] == ""
        assert client.config_get("bind")["bind"] == "127.0.0.1"
    finally:
        client.close()


def test_a_second_cloud_on_the_same_data_dir_is_refused(cloud: BackgroundCloud) -> None:
    second = LocalCloud(CloudConfig(data_dir=cloud.cloud.data_dir, seed=False))

    with pytest.raises(CloudError, match="another local cloud"):
        asyncio.run(second.start())
    assert second.moto is None and second.redis is None  # refused before spawning anything
