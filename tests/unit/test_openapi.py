"""docs/openapi.yaml: a valid OpenAPI document that matches the template and the models.

The fuzz test (tests/e2e/test_api_fuzz.py) trusts this document; these checks keep it honest
without a network: every template route and only those, the right security per route, the id
rule on every path parameter, and request schemas that accept and refuse what the server's
models accept and refuse.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from pydantic import ValidationError

from infra.wiring import load_template
from services.core import errors
from services.quizzes.importers import export_document
from services.quizzes.model import (
    QUIZ_ID_PATTERN,
    MultipleChoice,
    Quiz,
    QuizInput,
    public_question,
)
from services.quizzes.rendering import quiz_body, summary_body
from services.quizzes.summaries import QuizSummary

pytestmark = pytest.mark.unit

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
DOCUMENT: dict[str, Any] = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
ROUTES = load_template().http_routes
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
BEARER = [{"bearerAuth": []}]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def validator(schema_name: str) -> Draft202012Validator:
    """A JSON Schema validator for one component, its ``$ref``s resolved inside the document."""
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


# ------------------------------------------------------------------ the document itself


def test_document_is_valid_openapi() -> None:
    validate_openapi(copy.deepcopy(DOCUMENT))


def test_schemathesis_loads_every_operation() -> None:
    import schemathesis
    from schemathesis.core.result import Err

    schema = schemathesis.openapi.from_path(DOCUMENT_PATH)
    results = list(schema.get_all_operations())
    failures = [str(result.err()) for result in results if isinstance(result, Err)]
    assert failures == []
    assert len(results) == len(ROUTES)


def test_servers_are_left_to_the_caller() -> None:
    assert "servers" not in DOCUMENT


# ------------------------------------------------------------------ routes and security


def test_operations_are_exactly_the_template_routes() -> None:
    documented = {(method, path) for method, path, _ in operations()}
    declared = {(route.method, route.path) for route in ROUTES}
    assert documented == declared


def test_operation_ids_are_unique() -> None:
    ids = [operation.get("operationId") for _, _, operation in operations()]
    assert None not in ids
    assert len(ids) == len(set(ids))


def test_bearer_jwt_is_required_by_default() -> None:
    assert DOCUMENT["security"] == BEARER
    scheme = DOCUMENT["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.route_key)
def test_security_matches_the_template(route) -> None:
    operation = DOCUMENT["paths"][route.path][route.method.lower()]
    effective = operation.get("security", DOCUMENT["security"])
    assert effective == (BEARER if route.authorized else [])
    if route.authorized:
        assert "401" in operation["responses"]
    else:
        assert "401" not in operation["responses"]


# ------------------------------------------------------------------ parameters and responses


@pytest.mark.parametrize(
    ("method", "path", "operation"), operations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_path_parameters_follow_the_id_rule(method, path, operation) -> None:
    item = DOCUMENT["paths"][path]
    declared = [resolve(p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]
    in_path = {p["name"]: p for p in declared if p["in"] == "path"}
    assert set(in_path) == set(re.findall(r"\{(\w+)\}", path))
    for parameter in in_path.values():
        assert parameter["required"] is True
        assert resolve(parameter["schema"])["pattern"] == QUIZ_ID_PATTERN.pattern
    if in_path:
        assert {"400", "404"} <= set(operation["responses"])


@pytest.mark.parametrize(
    ("method", "path", "operation"), operations(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_error_responses_use_the_error_schema(method, path, operation) -> None:
    responses = operation["responses"]
    assert "503" in responses, "every route has a dependency that can fail"
    if "requestBody" in operation:
        assert {"400", "413"} <= set(responses)
    for status, response in responses.items():
        response = resolve(response)
        if status.startswith(("4", "5")):
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, status
        elif status == "204":
            assert "content" not in response
        else:
            assert set(response["content"]) == {"application/json"}


def test_category_query_is_the_slug() -> None:
    parameters = DOCUMENT["paths"]["/games/single"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("category", "query", False)
    ]
    assert resolve(parameters[0]["schema"]) == DOCUMENT["components"]["schemas"]["Category"]


# ------------------------------------------------------------------ schemas against the code


def test_error_schema_accepts_every_domain_error_and_the_gateway_shape() -> None:
    schema = validator("Error")
    for error_class in [errors.DomainError, *_subclasses(errors.DomainError)]:
        plain = errors.error_body(error_class("something went wrong"))
        detailed = errors.error_body(error_class("bad", details={"problems": [{"field": "x"}]}))
        assert schema.is_valid(plain), error_class
        assert schema.is_valid(detailed), error_class
    gateway = {"message": "Unauthorized", "error": {"code": "unauthorized", "message": "no"}}
    assert schema.is_valid(gateway)
    assert not schema.is_valid({"message": "Unauthorized"})
    assert not schema.is_valid({"error": {"code": "x"}})
    assert not schema.is_valid({"error": {"code": "x", "message": "m", "stack": "..."}})


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


VALID_QUIZ: dict[str, Any] = {
    "name": "Capitals",
    "category": "geography",
    "mode": "single",
    "questions": [
        {
            "type": "multiple_choice",
            "text": "France?",
            "options": ["Paris", "Lyon"],
            "answer": "Paris",
            "follow_up": None,
            "time_limit_seconds": 30,
            "round": None,
        },
        {"type": "open", "text": "Italy?", "answer": "Rome", "alternatives": ["Roma"]},
    ],
    "source": {"name": "Atlas", "url": None, "license": "CC0"},
}


def _quiz(**changes: Any) -> dict[str, Any]:
    quiz = copy.deepcopy(VALID_QUIZ)
    for name, value in changes.items():
        if value is _DROP:
            quiz.pop(name)
        else:
            quiz[name] = value
    return quiz


def _question(index: int, **changes: Any) -> dict[str, Any]:
    quiz = copy.deepcopy(VALID_QUIZ)
    quiz["questions"][index].update(changes)
    return quiz


_DROP = object()
MC = dict(VALID_QUIZ["questions"][0])
OPEN = dict(VALID_QUIZ["questions"][1])

QUIZ_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("valid", VALID_QUIZ, True),
    ("documented example", DOCUMENT["components"]["examples"]["QuizDocument"]["value"], True),
    ("no source or description", _quiz(source=_DROP), True),
    ("one question", _quiz(questions=[OPEN]), True),
    ("100 questions", _quiz(questions=[OPEN] * 100), True),
    ("101 questions", _quiz(questions=[OPEN] * 101), False),
    ("no questions", _quiz(questions=[]), False),
    ("unknown field", _quiz(owner_id="someone"), False),
    ("unknown question field", _question(1, points=10), False),
    ("unknown question type", _question(1, type="essay"), False),
    ("missing name", _quiz(name=_DROP), False),
    ("empty name", _quiz(name=""), False),
    ("name of 101", _quiz(name="n" * 101), False),
    ("description of 501", _quiz(description="d" * 501), False),
    ("bad mode", _quiz(mode="solo"), False),
    ("category with a space", _quiz(category="pop culture"), False),
    ("category of 41", _quiz(category="c" * 41), False),
    ("category of 40", _quiz(category="c" * 40), True),
    ("time limit 4", _quiz(time_limit_seconds=4), False),
    ("time limit 5", _quiz(time_limit_seconds=5), True),
    ("time limit 120", _quiz(time_limit_seconds=120), True),
    ("time limit 121", _quiz(time_limit_seconds=121), False),
    ("question time limit 121", _question(0, time_limit_seconds=121), False),
    ("one option", _question(0, options=["Paris"]), False),
    ("four options", _question(0, options=["Paris", "Lyon", "Nice", "Metz"]), True),
    ("five options", _question(0, options=["Paris", "Lyon", "Nice", "Metz", "Brest"]), False),
    ("repeated option", _question(0, options=["Paris", "Paris"]), False),
    ("option of 201", _question(0, options=["Paris", "o" * 201]), False),
    ("text of 501", _question(0, text="t" * 501), False),
    ("eleven alternatives", _question(1, alternatives=["Roma"] * 11), False),
    ("round 21", _question(1, round=21), False),
    ("competitive without rounds", _quiz(mode="competitive"), False),
    (
        "competitive with rounds",
        _quiz(mode="competitive", questions=[{**MC, "round": 1}, {**OPEN, "round": 2}]),
        True,
    ),
    ("source url of 501", _quiz(source={"name": "x", "url": "u" * 501}), False),
]


@pytest.mark.parametrize(
    ("document", "accepted"), [case[1:] for case in QUIZ_CASES], ids=[c[0] for c in QUIZ_CASES]
)
def test_quiz_document_schema_agrees_with_the_model(document, accepted) -> None:
    schema_accepts = validator("QuizDocument").is_valid(document)
    try:
        QuizInput.model_validate(document)
        model_accepts = True
    except ValidationError:
        model_accepts = False
    assert (schema_accepts, model_accepts) == (accepted, accepted)


def test_quiz_responses_match_their_schemas() -> None:
    """What the quiz handlers render (services/quizzes/rendering.py) is what the document says."""
    quiz = Quiz(
        quiz_id="AbC_12-x",
        owner_id="9f0c1d2e-0000-4000-8000-000000000000",
        owner_name="ada",
        created_at="2024-06-11T10:00:00.000000Z",
        updated_at="2024-06-11T10:05:00.000000Z",
        active=True,
        version=2,
        document=QuizInput.model_validate(VALID_QUIZ),
    )
    for schema_name, body in [
        ("Quiz", quiz_body(quiz)),
        ("QuizSummary", summary_body(QuizSummary.of(quiz))),
        ("QuizDocument", export_document(quiz.document)),
        ("QuizDocument", quiz.document.model_dump(mode="json")),
    ]:
        errors_found = [error.message for error in validator(schema_name).iter_errors(body)]
        assert errors_found == [], schema_name
    assert not validator("Quiz").is_valid({**quiz_body(quiz), "listing": "single#geography"})


def test_public_question_schema_fits_the_model_and_hides_the_answer() -> None:
    schema = validator("PublicQuestion")
    question = MultipleChoice.model_validate({**MC, "round": 2})
    shown = public_question("q1", question)
    assert schema.is_valid(shown)
    for secret in ("answer", "alternatives", "follow_up"):
        assert not schema.is_valid({**shown, secret: "Paris"})


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ({"display_name": "Ada"}, True),
        ({"location": "", "real_name": ""}, True),
        ({"display_name": ""}, False),
        ({"display_name": "d" * 41}, False),
        ({"location": "l" * 81}, False),
        ({"experience": 10}, False),
        ({"wallet": 10}, False),
        ({"level": 11}, False),
        ({"is_admin": True}, False),
    ],
)
def test_profile_update_refuses_server_owned_fields(body, accepted) -> None:
    assert validator("ProfileUpdate").is_valid(body) is accepted


@pytest.mark.parametrize(
    ("username", "password", "accepted"),
    [
        ("ada", "Correct-Horse-1", True),
        ("a.b_c-9", "Aa1!aaaa", True),
        ("ab", "Correct-Horse-1", False),
        ("a" * 33, "Correct-Horse-1", False),
        ("ada lovelace", "Correct-Horse-1", False),
        ("ada", "Aa1!aaa", False),
        ("ada", "correct-horse-1", False),
        ("ada", "CORRECT-HORSE-1", False),
        ("ada", "Correct-Horse", False),
        ("ada", "CorrectHorse1", False),
    ],
)
def test_registration_rules(username, password, accepted) -> None:
    body = {"username": username, "email": "ada@example.com", "password": password}
    assert validator("RegisterRequest").is_valid(body) is accepted
