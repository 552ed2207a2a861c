"""SNS -> Lambda through the local bridge: the event shape, retries, dead letters, nothing lost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.cloud import BackgroundCloud
from infra.local.sns_bridge import BridgeStats
from tests.fixtures.local import handlers
from tests.fixtures.local.support import call, running_cloud

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundCloud]:
    with running_cloud(tmp_path_factory.mktemp("bridge"), sns_backoff_seconds=0.01) as running:
        yield running


@pytest.fixture(scope="module")
def sns(cloud: BackgroundCloud) -> Any:
    endpoints = cloud.cloud.endpoints
    assert endpoints is not None
    return boto3.client(
        "sns",
        endpoint_url=endpoints.aws_endpoint_url,
        region_name=endpoints.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture()
def topics(cloud: BackgroundCloud) -> dict[str, str]:
    handlers.reset()
    assert cloud.cloud.resources is not None
    return cloud.cloud.resources.topics


def _stats(cloud: BackgroundCloud) -> BridgeStats:
    assert cloud.cloud.bridge is not None
    stats = cloud.cloud.bridge.stats
    return BridgeStats(stats.received, stats.delivered, stats.retried, stats.dead_lettered)


def _subscription_arn(sns: Any, topic_arn: str) -> str:
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert len(subscriptions) == 1 and subscriptions[0]["Protocol"] == "http"
    return subscriptions[0]["SubscriptionArn"]


def test_functions_are_subscribed_to_their_topics(
    cloud: BackgroundCloud, sns: Any, topics: dict[str, str]
) -> None:
    bridge = cloud.cloud.bridge
    assert bridge is not None
    endpoints = {
        topic: sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"][0]["Endpoint"]
        for topic, arn in topics.items()
    }

    assert endpoints == {
        "EventsTopic": bridge.endpoint("RecorderFunction"),
        "FlakyTopic": bridge.endpoint("FlakyFunction"),
    }
    assert all(url.startswith("http://127.0.0.1:") for url in endpoints.values())


def test_a_published_message_reaches_the_handler_as_the_lambda_sns_event(
    cloud: BackgroundCloud, sns: Any, topics: dict[str, str]
) -> None:
    arn = topics["EventsTopic"]
    message_id = sns.publish(TopicArn=arn, Message='{"score": 7}', Subject="result")["MessageId"]

    assert cloud.drain_sns()
    calls = handlers.calls("record_sns")
    assert len(calls) == 1
    event = calls[0]["event"]
    record = event["Records"][0]
    assert len(event["Records"]) == 1
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == _subscription_arn(sns, arn)
    notification = record["Sns"]
    assert set(notification) == {
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertUrl",
        "UnsubscribeUrl",
        "MessageAttributes",
    }
    assert notification["Type"] == "Notification"
    assert notification["MessageId"] == message_id
    assert notification["TopicArn"] == arn
    assert notification["Subject"] == "result"
    assert notification["Message"] == '{"score": 7}'
    assert notification["Timestamp"].endswith("Z")
    assert notification["SignatureVersion"] in {"1", "2"} and notification["Signature"]
    assert notification["SigningCertUrl"].startswith("https://sns.")
    assert notification["MessageAttributes"] == {}
    assert calls[0]["context"]["function_name"] == "trivia-RecorderFunction"


def test_a_handler_can_publish_while_serving_a_request(
    cloud: BackgroundCloud, topics: dict[str, str]
) -> None:
    # moto posts to the bridge while holding its request lock: the bridge must answer at once.
    endpoints = cloud.cloud.endpoints
    assert endpoints is not None

    answer = call(
        endpoints.http_api_url,
        "POST",
        "/publish",
        body="from a handler",
        headers={"Content-Type": "text/plain"},
    )

    assert answer.status == 200
    assert cloud.drain_sns()
    [received] = handlers.calls("record_sns")
    assert received["event"]["Records"][0]["Sns"]["MessageId"] == answer.json()["message_id"]
    assert received["event"]["Records"][0]["Sns"]["Message"] == "from a handler"


def test_a_failing_handler_is_retried_until_it_succeeds(
    cloud: BackgroundCloud, sns: Any, topics: dict[str, str]
) -> None:
    before = _stats(cloud)

    sns.publish(TopicArn=topics["FlakyTopic"], Message="fail-2")

    assert cloud.drain_sns()
    after = _stats(cloud)
    assert len(handlers.calls("flaky")) == 3  # two failures, then success
    assert (after.delivered - before.delivered, after.retried - before.retried) == (1, 2)
    assert after.dead_lettered == before.dead_lettered


def test_retries_run_out_into_a_dead_letter_file(
    cloud: BackgroundCloud, sns: Any, topics: dict[str, str]
) -> None:
    before = _stats(cloud)

    message_id = sns.publish(TopicArn=topics["FlakyTopic"], Message="fail-always")["MessageId"]

    assert cloud.drain_sns()
    after = _stats(cloud)
    assert len(handlers.calls("flaky")) == 3  # 1 + MaximumRetryAttempts (2)
    assert after.dead_lettered - before.dead_lettered == 1
    assert after.delivered == before.delivered
    path = cloud.cloud.data_dir / "dead-letters" / "FlakyFunction" / f"{message_id}.json"
    letter = json.loads(Path(path).read_text())
    assert letter["function"] == "FlakyFunction"
    assert letter["attempts"] == 3
    assert "fail-always: attempt 3 fails" in letter["error"]
    assert len(letter["errors"]) == 3
    assert letter["event"] == handlers.calls("flaky")[0]["event"]
    assert letter["time"].endswith("Z")


def test_nothing_is_dropped_under_parallel_publishing(
    cloud: BackgroundCloud, sns: Any, topics: dict[str, str]
) -> None:
    def publish(number: int) -> str:
        return sns.publish(TopicArn=topics["EventsTopic"], Message=str(number))["MessageId"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        sent = set(pool.map(publish, range(60)))

    assert cloud.drain_sns()
    received = [call["event"]["Records"][0]["Sns"] for call in handlers.calls("record_sns")]
    assert {notification["MessageId"] for notification in received} == sent
    assert sorted(int(notification["Message"]) for notification in received) == list(range(60))


def test_a_bad_post_to_the_bridge_is_refused_and_enqueues_nothing(
    cloud: BackgroundCloud, topics: dict[str, str]
) -> None:
    bridge = cloud.cloud.bridge
    assert bridge is not None
    base = f"http://127.0.0.1:{bridge.port}"
    received = bridge.stats.received
    notification = {
        "Type": "Notification",
        "MessageId": "m-1",
        "TopicArn": topics["EventsTopic"],
        "Message": "x",
    }

    garbage = call(base, "POST", "/sns/RecorderFunction", body="not json")
    unknown = call(base, "POST", "/sns/NoSuchFunction", body=json.dumps(notification))
    wrong_topic = call(base, "POST", "/sns/FlakyFunction", body=json.dumps(notification))

    assert (garbage.status, unknown.status, wrong_topic.status) == (400, 404, 404)
    assert bridge.stats.received == received
    assert cloud.drain_sns() and handlers.calls() == []


def test_events_pending_at_shutdown_become_dead_letters(tmp_path: Path) -> None:
    handlers.reset()
    with running_cloud(tmp_path) as cloud:
        endpoints, bridge = cloud.cloud.endpoints, cloud.cloud.bridge
        assert endpoints is not None and bridge is not None and cloud.cloud.resources
        sns = boto3.client(
            "sns",
            endpoint_url=endpoints.aws_endpoint_url,
            region_name=endpoints.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        message_id = sns.publish(
            TopicArn=cloud.cloud.resources.topics["FlakyTopic"], Message="slow-1.5"
        )["MessageId"]

        cloud.run(bridge.stop(drain_timeout=0.2))  # shutting down mid-delivery

        assert bridge.stats.dead_lettered == 1 and bridge.stats.delivered == 0
    letter = json.loads(
        (tmp_path / "dead-letters" / "FlakyFunction" / f"{message_id}.json").read_text()
    )
    assert "stopped before the event was delivered" in letter["error"]
    assert letter["event"]["Records"][0]["Sns"]["Message"] == "slow-1.5"
