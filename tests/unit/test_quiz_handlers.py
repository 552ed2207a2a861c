"""QuizzesFunction's wiring: its routes are the template's, nothing happens at import time,
and dependencies are built once, on the first request."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from infra.wiring import load_template
from services.quizzes import handlers
from services.quizzes.compose import LazyDependencies
from services.quizzes.memory import InMemoryQuizRepository
from services.quizzes.usecases import Dependencies
from tests.fixtures.quizzes.support import http_event, response_json, sample_document

pytestmark = pytest.mark.unit


@pytest.fixture
def repository() -> Iterator[InMemoryQuizRepository]:
    repository = InMemoryQuizRepository()
    handlers.dependencies.override(Dependencies(quizzes=repository))
    yield repository
    handlers.dependencies.override(None)


def test_the_router_serves_exactly_the_template_routes_of_quizzes_function() -> None:
    function = load_template().functions["QuizzesFunction"]
    assert function.handler == "services.quizzes.handlers.handler"
    assert function.load() is handlers.handler
    assert handlers.handler.route_keys == {route.route_key for route in function.http_routes}
    assert all(route.authorized for route in function.http_routes)


def test_importing_the_handler_reads_no_settings_and_opens_no_connection() -> None:
    script = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('network at import time')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "import services.quizzes.handlers as h\n"
        "assert h.dependencies._built is None\n"
        "print('ok')\n"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and not key.endswith(("_TABLE", "_ARN"))
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_lazy_dependencies_are_built_once_and_can_be_overridden() -> None:
    built: list[Dependencies] = []

    def factory() -> Dependencies:
        built.append(Dependencies(quizzes=InMemoryQuizRepository()))
        return built[-1]

    lazy = LazyDependencies(factory)
    assert built == []
    assert lazy() is lazy() is built[0]
    replacement = Dependencies(quizzes=InMemoryQuizRepository())
    lazy.override(replacement)
    assert lazy() is replacement
    lazy.override(None)
    assert lazy() is built[1]


def test_a_missing_setting_fails_loudly_on_the_first_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("QUIZZES_TABLE", raising=False)
    handlers.dependencies.override(None)
    response = handlers.handler(http_event("GET /quizzes"))
    assert response["statusCode"] == 500
    assert response_json(response)["error"]["code"] == "internal_error"


def test_requests_without_verified_claims_are_refused(
    repository: InMemoryQuizRepository,
) -> None:
    response = handlers.handler(http_event("POST /quizzes", player=None, body=sample_document()))
    assert response["statusCode"] == 401
    assert response_json(response)["error"]["code"] == "unauthorized"
    assert repository.writes == []


def test_the_owner_comes_from_the_claims_never_from_the_body(
    repository: InMemoryQuizRepository,
) -> None:
    body = sample_document() | {"owner_id": "someone-else"}
    refused = handlers.handler(http_event("POST /quizzes", body=body))
    assert refused["statusCode"] == 400
    created = handlers.handler(http_event("POST /quizzes", body=sample_document()))
    quiz = response_json(created)
    assert (quiz["owner_id"], quiz["owner_name"]) == (
        "4f1c2b8e-0000-4000-8000-000000000001",
        "ada",
    )
    assert created["headers"]["etag"] == '"1"'


@pytest.mark.parametrize("value", ['"abc"', "1.5", "-1", "²", '"1234567890"'])
def test_a_malformed_if_match_is_refused(
    repository: InMemoryQuizRepository, value: str
) -> None:
    quiz = response_json(handlers.handler(http_event("POST /quizzes", body=sample_document())))
    event = http_event(
        "PUT /quizzes/{quiz_id}",
        path={"quiz_id": quiz["quiz_id"]},
        body=sample_document(name="New"),
        headers={"if-match": value},
    )
    response = handlers.handler(event)
    assert response["statusCode"] == 400
    assert response_json(response)["error"]["details"] == {"field": "If-Match"}


@pytest.mark.parametrize(
    ("value", "status"), [('"1"', 200), ("1", 200), ("*", 200), ('W/"1"', 200), ('"7"', 409)]
)
def test_if_match_names_the_version_the_editor_read(
    repository: InMemoryQuizRepository, value: str, status: int
) -> None:
    quiz = response_json(handlers.handler(http_event("POST /quizzes", body=sample_document())))
    event = http_event(
        "PUT /quizzes/{quiz_id}",
        path={"quiz_id": quiz["quiz_id"]},
        body=sample_document(name="New"),
        headers={"if-match": value},
    )
    assert handlers.handler(event)["statusCode"] == status
