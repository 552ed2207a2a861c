"""The local moto's SNS deliveries (infra/local/moto_sns.py): made when the request's collected
deliveries are sent, not inside ``Publish``; at once outside such a request; over one kept-alive
connection; and a failed delivery still fails."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
import requests
from moto import mock_aws
from moto.sns import models

from infra.local import moto_sns

pytestmark = pytest.mark.integration


class _Subscriber(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections open, as the SNS bridge (aiohttp) does
    received: list[dict[str, Any]]
    connections: set[int]

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        type(self).connections.add(id(self.connection))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def subscriber() -> Iterator[tuple[str, type[_Subscriber]]]:
    handler = type("Subscriber", (_Subscriber,), {"received": [], "connections": set()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sns/Writer", handler
    server.shutdown()
    server.server_close()


@pytest.fixture
def topic(monkeypatch: pytest.MonkeyPatch, subscriber: tuple[str, type[_Subscriber]]
          ) -> Iterator[tuple[Any, str]]:
    # Patched for this test only: monkeypatch puts moto's own back afterwards.
    monkeypatch.setattr(models.Subscription, "publish", models.Subscription.publish)
    monkeypatch.setattr(models, "requests", models.requests)
    moto_sns.install()
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        arn = sns.create_topic(Name="results")["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=subscriber[0])
        yield sns, arn


def test_a_publish_in_a_request_delivers_when_the_deliveries_are_sent(
    topic: tuple[Any, str], subscriber: tuple[str, type[_Subscriber]]
) -> None:
    sns, arn = topic
    _, handler = subscriber
    with moto_sns.deliveries_after() as deliveries:
        message_id = sns.publish(TopicArn=arn, Message="first")["MessageId"]
        assert handler.received == []  # the publish itself made no round trip
        assert len(deliveries) == 1
        deliveries.send()
    assert [(n["MessageId"], n["Message"], n["TopicArn"]) for n in handler.received] == [
        (message_id, "first", arn)]


def test_a_publish_outside_a_request_delivers_at_once(
    topic: tuple[Any, str], subscriber: tuple[str, type[_Subscriber]]
) -> None:
    sns, arn = topic
    sns.publish(TopicArn=arn, Message="direct")
    assert [n["Message"] for n in subscriber[1].received] == ["direct"]


def test_deliveries_share_a_kept_alive_connection(
    topic: tuple[Any, str], subscriber: tuple[str, type[_Subscriber]]
) -> None:
    sns, arn = topic
    for number in range(3):
        sns.publish(TopicArn=arn, Message=f"m{number}")
    assert len(subscriber[1].received) == 3
    assert len(subscriber[1].connections) == 1


def test_a_failed_delivery_still_fails(
    topic: tuple[Any, str], subscriber: tuple[str, type[_Subscriber]]
) -> None:
    sns, arn = topic
    sns.subscribe(TopicArn=arn, Protocol="http", Endpoint="http://127.0.0.1:9/nobody")
    with moto_sns.deliveries_after() as deliveries:
        sns.publish(TopicArn=arn, Message="lost")
    with pytest.raises(requests.ConnectionError):
        deliveries.send()
