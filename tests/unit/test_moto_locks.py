"""The moto child's middleware: each service serialized, services not serialized together."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest

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
