"""QuizzesFunction end to end on moto: payload-2.0 events in, API Gateway responses out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from services.core import aws as core_aws
from services.quizzes import handlers
from services.quizzes.compose import build
from services.quizzes.model import Quiz
from services.quizzes.repository import DynamoQuizRepository
from services.quizzes.usecases import Dependencies
from tests.fixtures.quizzes.support import (
    ALICE,
    BOB,
    competitive_document,
    create_quizzes_table,
    http_event,
    load_json,
    response_json,
    sample_document,
)

pytestmark = pytest.mark.integration

REGION = "eu-west-1"
TABLE = "quizzes-test"
ENVIRONMENT = {
    "AWS_REGION": REGION,
    "QUIZZES_TABLE": TABLE,
    "PLAYS_TABLE": "plays-test",
    "LEADERBOARDS_TABLE": "leaderboards-test",
    "PLAYERS_TABLE": "players-test",
}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_quizzes_table(client, TABLE)
        # The handler builds its own dependencies from the environment on first use; only the
        # client factory is pointed at this test's moto client.
        monkeypatch.setattr(core_aws, "client", lambda service, region: client)
        handlers.dependencies.override(None)
        yield client
        handlers.dependencies.override(None)


def call(route_key: str, **kwargs: Any) -> tuple[int, Any]:
    response = handlers.handler(http_event(route_key, **kwargs), None)
    return response["statusCode"], response_json(response)


def create(player: tuple[str, str] = ALICE, **fields: Any) -> dict[str, Any]:
    status, body = call("POST /quizzes", player=player, body=sample_document(**fields))
    assert status == 201, body
    return body


def table_items(client: Any) -> list[dict[str, Any]]:
    return sorted(client.scan(TableName=TABLE)["Items"], key=lambda item: item["quiz_id"]["S"])


def of(quiz: dict[str, Any]) -> dict[str, str]:
    return {"quiz_id": quiz["quiz_id"]}


# ---------------------------------------------------------------- the owner's routes


def test_create_returns_the_stored_quiz_with_question_ids(client: Any) -> None:
    quiz = create()
    assert set(quiz) == {
        "quiz_id", "owner_id", "owner_name", "active", "version", "created_at", "updated_at",
        "name", "description", "category", "mode", "time_limit_seconds", "questions",
    }
    assert (quiz["owner_id"], quiz["owner_name"]) == ALICE
    assert (quiz["active"], quiz["version"]) == (False, 1)
    assert quiz["created_at"].endswith("Z") and quiz["created_at"] == quiz["updated_at"]
    assert quiz["questions"][0] == {"question_id": "q1", **sample_document()["questions"][0]}
    assert quiz["questions"][1]["question_id"] == "q2"
    assert quiz["questions"][1]["alternatives"] == ["Roma"]
    assert len(table_items(client)) == 1


def test_get_returns_the_owners_quiz_with_answers(client: Any) -> None:
    quiz = create()
    status, body = call("GET /quizzes/{quiz_id}", path=of(quiz))
    assert (status, body) == (200, quiz)


def test_list_returns_own_summaries_newest_first(client: Any) -> None:
    first = create(name="First")
    create(BOB, name="Bob's")
    second = create(name="Second", mode="live")
    status, body = call("GET /quizzes")
    assert status == 200
    assert [s["quiz_id"] for s in body["quizzes"]] == [second["quiz_id"], first["quiz_id"]]
    assert body["quizzes"][0] == {
        "quiz_id": second["quiz_id"],
        "name": "Second",
        "description": "Warm-up round",
        "category": "geography",
        "mode": "live",
        "active": False,
        "question_count": 2,
        "version": 1,
        "updated_at": second["updated_at"],
    }
    assert call("GET /quizzes", player=("nobody", "nobody")) == (200, {"quizzes": []})


def test_replace_bumps_the_version(client: Any) -> None:
    quiz = create()
    status, body = call(
        "PUT /quizzes/{quiz_id}", path=of(quiz), body=sample_document(name="Renamed")
    )
    assert status == 200
    assert (body["name"], body["version"], body["created_at"]) == (
        "Renamed", 2, quiz["created_at"]
    )
    assert call("GET /quizzes/{quiz_id}", path=of(quiz)) == (200, body)


def test_a_lost_update_on_replace_is_409_and_keeps_the_newer_edit(client: Any) -> None:
    quiz = create()
    call("PUT /quizzes/{quiz_id}", path=of(quiz), body=sample_document(name="Newer"),
         headers={"if-match": '"1"'})
    status, body = call(
        "PUT /quizzes/{quiz_id}", path=of(quiz), body=sample_document(name="Stale"),
        headers={"if-match": '"1"'},
    )
    assert status == 409
    assert body["error"]["code"] == "quiz_version_conflict"
    assert body["error"]["details"]["version"] == 2
    assert call("GET /quizzes/{quiz_id}", path=of(quiz))[1]["name"] == "Newer"


class _RacingRepository(DynamoQuizRepository):
    """Runs ``racer`` (another editor's request) just before the next replace is written."""

    racer: Callable[[], None] | None = None

    def replace(self, quiz: Quiz, expected_version: int) -> None:
        racer, self.racer = self.racer, None
        if racer is not None:
            racer()
        super().replace(quiz, expected_version)


def test_an_edit_that_loses_the_race_after_reading_is_409(client: Any) -> None:
    """Two editors read version 1 with no If-Match; the write that lands second is refused."""
    quiz = create()
    repository = _RacingRepository(client, TABLE)
    handlers.dependencies.override(Dependencies(quizzes=repository))
    repository.racer = lambda: call(
        "PUT /quizzes/{quiz_id}", path=of(quiz), body=sample_document(name="Winner")
    )
    status, body = call("PUT /quizzes/{quiz_id}", path=of(quiz), body=sample_document(name="Loser"))
    assert (status, body["error"]["code"]) == (409, "quiz_version_conflict")
    winner = call("GET /quizzes/{quiz_id}", path=of(quiz))[1]
    assert (winner["name"], winner["version"]) == ("Winner", 2)


def test_delete_is_204_and_the_quiz_is_gone(client: Any) -> None:
    quiz = create()
    status, body = call("DELETE /quizzes/{quiz_id}", path=of(quiz))
    assert (status, body) == (204, None)
    assert call("GET /quizzes/{quiz_id}", path=of(quiz))[0] == 404
    assert call("DELETE /quizzes/{quiz_id}", path=of(quiz))[0] == 404
    assert table_items(client) == []


def test_activate_and_deactivate_return_summaries(client: Any) -> None:
    quiz = create()
    status, body = call("POST /quizzes/{quiz_id}/activate", path=of(quiz))
    assert status == 200
    assert set(body) == {
        "quiz_id", "name", "description", "category", "mode", "active", "question_count",
        "version", "updated_at",
    }
    assert body["active"] is True
    assert call("GET /quizzes/{quiz_id}", path=of(quiz))[1]["active"] is True
    status, body = call("POST /quizzes/{quiz_id}/deactivate", path=of(quiz))
    assert (status, body["active"]) == (200, False)


@pytest.mark.parametrize("mode", ["casual", "live"])
def test_only_single_player_quizzes_can_be_activated(client: Any, mode: str) -> None:
    quiz = create(mode=mode)
    status, body = call("POST /quizzes/{quiz_id}/activate", path=of(quiz))
    assert status == 409
    assert body["error"]["code"] == "quiz_not_playable"
    assert call("GET /quizzes/{quiz_id}", path=of(quiz))[1]["active"] is False


def test_competitive_quizzes_cannot_be_activated_either(client: Any) -> None:
    status, quiz = call("POST /quizzes", body=competitive_document())
    assert status == 201
    assert call("POST /quizzes/{quiz_id}/activate", path=of(quiz))[0] == 409


def test_listing_shows_only_active_single_quizzes_by_category(client: Any) -> None:
    listed = create(name="Capitals")
    science = create(name="Atoms", category="science")
    create(name="Inactive")
    create(name="Live", mode="live")
    for quiz in (listed, science):
        call("POST /quizzes/{quiz_id}/activate", path=of(quiz))
    repository = DynamoQuizRepository(client, TABLE)
    assert [x.name for x in repository.list_listed("single", "geography")] == ["Capitals"]
    assert [x.name for x in repository.list_listed("single", None)] == ["Capitals", "Atoms"]
    call("PUT /quizzes/{quiz_id}", path=of(science), body=sample_document(
        name="Atoms", category="science", mode="casual"))
    assert [x.name for x in repository.list_listed("single", None)] == ["Capitals"]
    assert call("GET /quizzes/{quiz_id}", path=of(science))[1]["active"] is False


def test_import_in_the_projects_format_then_export_gives_it_back(client: Any) -> None:
    document = competitive_document()
    status, quiz = call("POST /quizzes/import", body={"format": "trivia", "document": document})
    assert status == 201
    assert quiz["mode"] == "competitive"
    status, exported = call("GET /quizzes/{quiz_id}/export", path=of(quiz))
    assert status == 200
    assert exported == document
    assert call("POST /quizzes/import", body={"format": "trivia", "document": exported})[0] == 201


def test_import_from_open_trivia_db(client: Any) -> None:
    body = {
        "format": "opentdb",
        "document": load_json("opentdb_mixed.json"),
        "name": "Mixed bag",
        "category": "general",
        "mode": "single",
        "description": "Imported",
    }
    status, quiz = call("POST /quizzes/import", body=body)
    assert status == 201
    assert quiz["source"] == {
        "name": "Open Trivia DB", "url": "https://opentdb.com", "license": "CC BY-SA 4.0"
    }
    assert quiz["questions"][0]["text"] == 'Which element has the chemical symbol "Na"?'
    assert quiz["questions"][1]["options"] == ["True", "False"]


def test_an_opentdb_error_response_is_400(client: Any) -> None:
    body = {
        "format": "opentdb",
        "document": load_json("opentdb_no_results.json"),
        "name": "Empty",
        "category": "general",
        "mode": "single",
    }
    status, error = call("POST /quizzes/import", body=body)
    assert status == 400
    assert error["error"]["code"] == "validation_failed"
    assert "response_code 1" in error["error"]["message"]
    assert table_items(client) == []


# ---------------------------------------------------------------- another player


@pytest.mark.parametrize(
    ("route_key", "body"),
    [
        ("GET /quizzes/{quiz_id}", None),
        ("PUT /quizzes/{quiz_id}", sample_document(name="Hijacked")),
        ("DELETE /quizzes/{quiz_id}", None),
        ("POST /quizzes/{quiz_id}/activate", None),
        ("POST /quizzes/{quiz_id}/deactivate", None),
        ("GET /quizzes/{quiz_id}/export", None),
    ],
)
def test_another_player_gets_404_and_nothing_changes(
    client: Any, route_key: str, body: Any
) -> None:
    quiz = create()
    call("POST /quizzes/{quiz_id}/activate", path=of(quiz))
    before = table_items(client)
    status, error = call(route_key, player=BOB, path=of(quiz), body=body)
    assert status == 404
    assert error["error"]["code"] == "quiz_not_found"
    assert "Paris" not in json.dumps(error)
    unknown = call(route_key, player=BOB, path={"quiz_id": "unknownQuiz1"}, body=body)
    assert unknown[0] == 404
    assert set(unknown[1]["error"]) == set(error["error"])
    assert table_items(client) == before


def test_another_players_list_does_not_show_my_quizzes(client: Any) -> None:
    create()
    assert call("GET /quizzes", player=BOB) == (200, {"quizzes": []})


# ---------------------------------------------------------------- bad input


def error_of(status_and_body: tuple[int, Any]) -> tuple[int, str]:
    status, body = status_and_body
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return status, body["error"]["code"]


@pytest.mark.parametrize(
    "raw", ["{", "not json", '{"name": "x",}', "\"just a string", "\x00", "   "]
)
def test_malformed_json_is_400(client: Any, raw: str) -> None:
    assert error_of(call("POST /quizzes", raw_body=raw)) == (400, "malformed_json")


def test_a_body_over_64_kb_is_413(client: Any) -> None:
    document = sample_document(description="d" * (64 * 1024))
    assert error_of(call("POST /quizzes", body=document)) == (413, "payload_too_large")
    quiz = create()
    assert error_of(call("PUT /quizzes/{quiz_id}", path=of(quiz), body=document))[0] == 413
    importing = {"format": "trivia", "document": document}
    assert error_of(call("POST /quizzes/import", body=importing))[0] == 413
    assert len(table_items(client)) == 1


@pytest.mark.parametrize(
    "body",
    [
        sample_document(owner_id=BOB[0]),
        sample_document(version=9),
        sample_document(name=12),
        sample_document(questions="many"),
        sample_document(time_limit_seconds="20s"),
        sample_document(category="Bad Category!"),
        [sample_document()],
        {"format": "trivia", "document": sample_document()},
    ],
)
def test_unknown_fields_and_wrong_types_are_400_with_problems(client: Any, body: Any) -> None:
    status, error = call("POST /quizzes", body=body)
    assert (status, error["error"]["code"]) == (400, "validation_failed")
    if isinstance(body, dict):
        assert error["error"]["details"]["problems"]
    assert table_items(client) == []


def test_a_bad_replace_changes_nothing(client: Any) -> None:
    quiz = create()
    before = table_items(client)
    status, error = call(
        "PUT /quizzes/{quiz_id}", path=of(quiz), body=sample_document(questions=[])
    )
    assert (status, error["error"]["code"]) == (400, "validation_failed")
    assert table_items(client) == before


@pytest.mark.parametrize("quiz_id", ["has space", "x" * 65, "semi;colon", "dot.dot", "é"])
@pytest.mark.parametrize(
    "route_key",
    [
        "GET /quizzes/{quiz_id}",
        "DELETE /quizzes/{quiz_id}",
        "POST /quizzes/{quiz_id}/activate",
        "GET /quizzes/{quiz_id}/export",
    ],
)
def test_bad_ids_are_400(client: Any, route_key: str, quiz_id: str) -> None:
    status, code = error_of(call(route_key, path={"quiz_id": quiz_id}))
    assert (status, code) == (400, "validation_failed")


def test_unknown_import_formats_are_400(client: Any) -> None:
    body = {"format": "csv", "document": sample_document()}
    assert error_of(call("POST /quizzes/import", body=body)) == (400, "validation_failed")


def test_the_handler_builds_its_dependencies_from_settings_once(client: Any) -> None:
    create()
    built = handlers.dependencies()
    create()
    assert handlers.dependencies() is built
    assert isinstance(built.quizzes, DynamoQuizRepository)
    assert build(client=client).quizzes.list_by_owner(ALICE[0])  # same table, from the env
