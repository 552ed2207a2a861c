"""The moto child's middleware: each service serialized, services not serialized together."""

from __future__ import annotations

import io
import json
import threading
import time
from typing import Any

import pytest

from infra.local import moto_sns
from infra.local.moto_server import SerializedApp, service_of

pytestmark = pytest.mark.unit


def _environ(service: str | None = None, target: str | None = None) -> dict[str, Any]:
    environ: dict[str, Any] = {"wsgi.input": io.BytesIO(b"{}"), "CONTENT_LENGTH": "2",
                               "REQUEST_METHOD": "POST"}
    if service:
        environ["HTTP_AUTHORIZATION"] = (
            f"AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/{service}/aws4_request, "
            "SignedHeaders=host, Signature=abc"
        )
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    return environ


@pytest.mark.parametrize(
    ("environ", "service"),
    [
        (_environ("dynamodb"), "dynamodb"),
        (_environ("sns"), "sns"),
        (_environ(target="AWSCognitoIdentityProviderService.InitiateAuth"),
         "AWSCognitoIdentityProviderService"),
        (_environ(), "unplaced"),
    ],
)
def test_service_of(environ: dict[str, Any], service: str) -> None:
    assert service_of(environ) == service


class BlockingApp:
    """Blocks every 'sns' request until released; counts concurrent requests per service."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.sns_entered = threading.Event()
        self.active: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        service = service_of(environ)
        with self._lock:
            self.active[service] = self.active.get(service, 0) + 1
            self.peak[service] = max(self.peak.get(service, 0), self.active[service])
        if service == "sns":
            self.sns_entered.set()
            self.release.wait(5)
        else:
            time.sleep(0.005)  # long enough for unserialized requests to overlap
        with self._lock:
            self.active[service] -= 1
        start_response("200 OK", [])
        return [service.encode()]


def test_a_blocked_publish_does_not_stall_dynamodb() -> None:
    app = BlockingApp()
    middleware = SerializedApp(app)
    publish = threading.Thread(target=middleware, args=(_environ("sns"), lambda *a: None))
    publish.start()
    assert app.sns_entered.wait(5)
    assert middleware(_environ("dynamodb"), lambda *a: None) == [b"dynamodb"]
    app.release.set()
    publish.join(5)


def test_requests_to_one_service_never_overlap() -> None:
    app = BlockingApp()
    middleware = SerializedApp(app)
    threads = [threading.Thread(target=middleware, args=(_environ("dynamodb"), lambda *a: None))
               for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert app.peak["dynamodb"] == 1


def test_sns_deliveries_are_sent_after_the_lock_and_before_the_response() -> None:
    events: list[str] = []

    def publishing_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ.get("HTTP_X_DELIVERY_PROBE"):
            events.append("second publish served")
        else:
            assert moto_sns.defer(deliver)
            events.append("published")
        start_response("200 OK", [])
        return [b"ok"]

    middleware = SerializedApp(publishing_app)

    def deliver() -> None:
        # Another SNS request, as the bridge's handlers make: it must not wait for our lock.
        probe = _environ("sns")
        probe["HTTP_X_DELIVERY_PROBE"] = "1"
        second = threading.Thread(target=middleware, args=(probe, lambda *a: None))
        second.start()
        second.join(5)
        events.append("delivered" if not second.is_alive() else "delivery blocked")

    assert middleware(_environ("sns"), lambda *a: None) == [b"ok"]
    assert events == ["published", "second publish served", "delivered"]


def test_outside_a_request_nothing_is_deferred() -> None:
    assert not moto_sns.defer(lambda: None)


def test_requests_are_counted_by_service_and_operation_and_served_as_json() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        assert environ["wsgi.input"].read() == body_of(environ)  # the body is left for moto
        start_response("200 OK", [])
        return [b"{}"]

    def body_of(environ: dict[str, Any]) -> bytes:
        return sent[id(environ)]

    sent: dict[int, bytes] = {}
    served = SerializedApp(app)
    requests = [
        _environ("dynamodb", target="DynamoDB_20120810.GetItem"),
        _environ("dynamodb", target="DynamoDB_20120810.GetItem"),
        _environ("dynamodb", target="DynamoDB_20120810.TransactWriteItems"),
        {**_environ("sns"), "wsgi.input": io.BytesIO(b"Action=Publish&TopicArn=x"),
         "CONTENT_LENGTH": "25"},
    ]
    for environ in requests:
        sent[id(environ)] = environ["wsgi.input"].getvalue()
        served(environ, lambda *_: None)

    statuses: list[str] = []
    [body] = served({"PATH_INFO": "/_local/requests", "REQUEST_METHOD": "GET"},
                    lambda status, _headers: statuses.append(status))
    assert statuses == ["200 OK"]
    assert json.loads(body) == {"dynamodb GetItem": 2, "dynamodb TransactWriteItems": 1,
                                "sns Publish": 1}
