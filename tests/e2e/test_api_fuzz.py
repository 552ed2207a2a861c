"""Fuzz the HTTP API from its own OpenAPI document (QUALITY.md, "Load and fuzzing").

Schemathesis generates requests for every operation in ``docs/openapi.yaml`` — valid ones and
invalid ones — and sends them to the running local cloud. Every response must be a documented
status, never a 5xx, and its body must match the documented schema.

Three passes:
- with a real access token (a fuzz account registered through ``POST /accounts``, logged in
  with Cognito's USER_PASSWORD_AUTH): every operation, valid and invalid inputs;
- without a token, and with garbage tokens: every authorized operation answers 401 with the
  gateway's error body, whatever the rest of the request.

So that the fuzzer reaches past "not found", the fixture creates real resources (an active
single-player quiz, spare quizzes for the destructive routes, an open and a submitted play), and
Hypothesis decides per example whether a path id is generated or one of those. The run is
derandomized (fixed seed, no example database): the same code and document send the same
requests, so a failure reproduces.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import HealthCheck

pytestmark = pytest.mark.e2e

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
SEED = 20_240_611
# Examples per operation and pass: enough to hit each schema's edges, small enough for CI.
# TRIVIA_FUZZ_EXAMPLES=500 digs deeper locally (same seed, so still reproducible).
AUTHORIZED_EXAMPLES = int(os.environ.get("TRIVIA_FUZZ_EXAMPLES", "25"))
ANONYMOUS_EXAMPLES = 5
REQUEST_TIMEOUT_SECONDS = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

COGNITO_TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"
COGNITO_CONTENT_TYPE = "application/x-amz-json-1.1"

QUIZ: dict[str, Any] = {
    "name": "Fuzz capitals",
    "description": "Made by the API fuzz test",
    "category": "fuzz",
    "mode": "single",
    "questions": [
        {
            "type": "multiple_choice",
            "text": "What is the capital of France?",
            "options": ["Paris", "Lyon", "Nice"],
            "answer": "Paris",
            "follow_up": "Since 987.",
        },
        {
            "type": "open",
            "text": "What is the capital of Italy?",
            "answer": "Rome",
            "alternatives": ["Roma"],
        },
    ],
}


def operations_with_examples() -> set[str]:
    document = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
    return {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        and any(
            "example" in media or "examples" in media
            for media in operation.get("requestBody", {}).get("content", {}).values()
        )
    }


def load_schema(*, phase: str, max_examples: int, modes: list[GenerationMode]) -> Any:
    schema = schemathesis.openapi.from_path(DOCUMENT_PATH)
    config = schema.config
    config.seed = SEED
    config.update(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    config.generation.update(
        max_examples=max_examples,
        modes=modes,
        deterministic=True,
        database="none",
        # The token is the fixture's; generated Authorization headers would only hide it.
        with_security_parameters=False,
    )
    # One phase per schema: schemathesis cannot combine `given` (our id choice) with the
    # document's examples. Stateful needs links the document does not declare; coverage is
    # unbounded in size.
    config.phases.update(phases=[phase])
    return schema


BOTH_MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# The document's own examples (a valid quiz, registration, import, answers), sent as they are.
documented = load_schema(
    phase="examples", max_examples=AUTHORIZED_EXAMPLES, modes=BOTH_MODES
).include(operation_id=sorted(operations_with_examples()))
authorized = load_schema(phase="fuzzing", max_examples=AUTHORIZED_EXAMPLES, modes=BOTH_MODES)
# Only valid requests: a 401 must not depend on the request being otherwise well-formed, and
# the gateway answers before any body is read.
anonymous = load_schema(
    phase="fuzzing", max_examples=ANONYMOUS_EXAMPLES, modes=[GenerationMode.POSITIVE]
).exclude(method="POST", path="/accounts")


@dataclass(frozen=True)
class FuzzWorld:
    """A fuzz account and the resources it owns, for Hypothesis to aim path ids at."""

    base_url: str
    token: str
    quiz_id: str  # active single-player quiz: reads, activation, plays, leaderboard
    scratch_quiz_id: str  # replaced and deactivated by the fuzzer
    doomed_quiz_id: str  # deleted by the fuzzer
    open_play_id: str
    submitted_play_id: str
    session: requests.Session = field(default_factory=requests.Session, compare=False)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def known_ids(self, method: str, path: str) -> Mapping[str, list[str]]:
        """Real ids an operation may be aimed at; destructive ones get their own quizzes."""
        if method == "DELETE":
            quizzes = [self.doomed_quiz_id]
        elif method == "PUT" or path.endswith("/deactivate"):
            quizzes = [self.scratch_quiz_id]
        else:
            quizzes = [self.quiz_id, self.scratch_quiz_id]
        return {"quiz_id": quizzes, "play_id": [self.open_play_id, self.submitted_play_id]}


@pytest.fixture(scope="module")
def world(local_cloud) -> FuzzWorld:
    base_url = local_cloud.http_api_url.rstrip("/")
    session = requests.Session()
    username = f"fuzz-{uuid.uuid4().hex[:16]}"
    password = f"Fuzz-{uuid.uuid4().hex[:12]}-Aa1!"
    _expect(
        session.post(
            f"{base_url}/accounts",
            json={"username": username, "email": f"{username}@example.com", "password": password},
            timeout=REQUEST_TIMEOUT_SECONDS,
        ),
        201,
    )
    token = _log_in(session, local_cloud, username, password)
    auth = {"Authorization": f"Bearer {token}"}

    def post(path: str, status: int, body: Any = None) -> dict[str, Any]:
        response = session.post(
            f"{base_url}{path}", json=body, headers=auth, timeout=REQUEST_TIMEOUT_SECONDS
        )
        return _expect(response, status)

    quiz_id = post("/quizzes", 201, QUIZ)["quiz_id"]
    post(f"/quizzes/{quiz_id}/activate", 200)
    submitted = post(f"/games/single/{quiz_id}/plays", 201)
    answers = [{"question_id": q["question_id"], "answer": "Paris"} for q in submitted["questions"]]
    post(f"/plays/{submitted['play_id']}/answers", 200, {"answers": answers})
    return FuzzWorld(
        base_url=base_url,
        token=token,
        quiz_id=quiz_id,
        scratch_quiz_id=post("/quizzes", 201, QUIZ)["quiz_id"],
        doomed_quiz_id=post("/quizzes", 201, QUIZ)["quiz_id"],
        open_play_id=post(f"/games/single/{quiz_id}/plays", 201)["play_id"],
        submitted_play_id=submitted["play_id"],
        session=session,
    )


def _log_in(session: requests.Session, endpoints: Any, username: str, password: str) -> str:
    response = session.post(
        endpoints.cognito_url,
        data=json.dumps(
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": endpoints.user_pool_client_id,
                "AuthParameters": {"USERNAME": username, "PASSWORD": password},
            }
        ),
        headers={"X-Amz-Target": COGNITO_TARGET, "Content-Type": COGNITO_CONTENT_TYPE},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    return str(_expect(response, 200)["AuthenticationResult"]["AccessToken"])


def _expect(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.path_url}: "
        f"{response.status_code} {response.text[:500]}"
    )
    return response.json() if response.content else {}


# Hypothesis picks, per example, whether each path id is generated (0) or a real one (1, 2).
id_choices = st.integers(min_value=0, max_value=2)


def aim_at_known_ids(case: Any, world: FuzzWorld, choice: int) -> None:
    known = world.known_ids(case.method, case.path)
    for name, ids in known.items():
        if f"{{{name}}}" in case.path and 0 < choice <= len(ids):
            case.path_parameters[name] = ids[choice - 1]


def call(case: Any, world: FuzzWorld, headers: dict[str, str] | None = None) -> Any:
    return case.call_and_validate(
        base_url=world.base_url,
        session=world.session,
        headers=headers,
        checks=CHECKS,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )


@documented.parametrize()
def test_documented_examples_are_accepted(case, world) -> None:
    aim_at_known_ids(case, world, 1)
    response = call(case, world, headers=world.auth)
    # 409 is the one refusal a valid example may earn: `ada.example` registered by an earlier run
    # against the same cloud, or the quiz version moved under the PUT example.
    assert response.status_code < 400 or response.status_code == 409, response.text[:500]


@authorized.parametrize()
@authorized.given(choice=id_choices)
def test_api_conforms_to_its_document(case, choice, world) -> None:
    aim_at_known_ids(case, world, choice)
    response = call(case, world, headers=world.auth)
    assert response.status_code != 401, f"a valid access token was refused: {response.text}"


@anonymous.parametrize()
@anonymous.given(choice=id_choices)
def test_requests_without_a_token_get_401(case, choice, world) -> None:
    aim_at_known_ids(case, world, choice)
    case.headers.pop("Authorization", None)
    assert_gateway_401(call(case, world))


def garbage_tokens() -> st.SearchStrategy[str]:
    """Authorization values that must never pass: noise, JWT look-alikes, a tampered token."""
    visible = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=300)
    segment = st.binary(max_size=120).map(
        lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    )
    header = st.fixed_dictionaries(
        {"alg": st.sampled_from(["RS256", "HS256", "none", "ES256"])},
        optional={"kid": st.sampled_from(["dummy", "", "x" * 300]), "typ": st.just("JWT")},
    ).map(lambda value: _b64(json.dumps(value)))
    jwt_like = st.tuples(header | segment, segment, segment).map(".".join)
    token = visible | jwt_like
    return st.one_of(
        token.map(lambda value: f"Bearer {value}"),
        token,
        token.map(lambda value: f"Basic {value}"),
        st.sampled_from(["Bearer", "Bearer ", "bearer null", "Bearer undefined"]),
    )


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@anonymous.parametrize()
@anonymous.given(choice=id_choices, authorization=garbage_tokens(), tamper=st.booleans())
def test_garbage_tokens_get_401(case, choice, authorization, tamper, world) -> None:
    aim_at_known_ids(case, world, choice)
    if tamper:  # the real token with its signature cut short: right kid, wrong signature
        authorization = f"Bearer {world.token[:-8]}"
    assert_gateway_401(call(case, world, headers={"Authorization": authorization}))


def assert_gateway_401(response: Any) -> None:
    assert response.status_code == 401, f"{response.status_code}: {response.text[:300]}"
    body = response.json()
    # Decision 0003: the gateway's own refusals carry AWS's key and the project's error shape.
    assert body["message"] == "Unauthorized"
    assert body["error"]["code"] in {"unauthorized", "invalid_token"}


# Bodies no JSON Schema generator sends: each must get a clear 4xx in the error shape.
UNPARSEABLE_BODIES: dict[str, tuple[bytes, int, str]] = {
    "malformed": (b'{"name": ', 400, "malformed_json"),
    "not utf-8": (b"\xff\xfe\xfa", 400, "malformed_json"),
    # Under 64 KB, yet deeper than Python's recursion limit.
    "deeply nested": (b"[" * 30_000, 400, "malformed_json"),
    "a JSON array": (b"[]", 400, "validation_failed"),
    "over 64 KB": (b'{"name": "' + b"x" * 70_000 + b'"}', 413, "payload_too_large"),
}
BODY_ROUTES = [
    f"{method.upper()} {path}"
    for path, item in yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and "requestBody" in operation
]


@pytest.mark.parametrize("body_name", UNPARSEABLE_BODIES)
@pytest.mark.parametrize("route", BODY_ROUTES)
def test_unparseable_bodies_get_a_clear_4xx(route, body_name, world) -> None:
    method, path = route.split(" ")
    body, status, code = UNPARSEABLE_BODIES[body_name]
    case = authorized[path][method].Case(path_parameters={})
    aim_at_known_ids(case, world, 1)
    response = world.session.request(
        method,
        f"{world.base_url}{case.formatted_path}",
        data=body,
        headers={**world.auth, "Content-Type": "application/json"},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    case.validate_response(response, checks=CHECKS)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
