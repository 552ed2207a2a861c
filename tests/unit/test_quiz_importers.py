"""Open Trivia DB import (entities decoded, booleans, stable option order, source kept) and the
project format's export/import round trip."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from services.core.errors import ValidationFailed
from services.core.http import validate
from services.quizzes.importers import (
    OPEN_TRIVIA_DB_SOURCE,
    QUESTIONS_PER_ROUND,
    ImportRequest,
    export_document,
    quiz_from_opentdb,
)
from services.quizzes.model import Mode, MultipleChoice, QuizInput
from tests.fixtures.quizzes.support import (
    SEED,
    competitive_document,
    load_json,
    sample_document,
)

pytestmark = pytest.mark.unit


def imported(response: Any = None, **fields: Any) -> QuizInput:
    arguments = {"name": "Mixed bag", "category": "general", "mode": "single"} | fields
    return quiz_from_opentdb(
        load_json("opentdb_mixed.json") if response is None else response, **arguments
    )


def choice(document: QuizInput, index: int) -> MultipleChoice:
    question = document.questions[index]
    assert isinstance(question, MultipleChoice)
    return question


def test_every_opentdb_question_becomes_multiple_choice_with_entities_decoded() -> None:
    document = imported()
    assert [choice(document, i).text for i in range(6)] == [
        'Which element has the chemical symbol "Na"?',
        "Queen's \"Bohemian Rhapsody\" was first released in 1975.",
        "Who composed the piano piece \u201cF\u00fcr Elise\u201d?",
        "The Danube flows through Vienna & Budapest.",
        "Mount Everest is in the Alps.",
        "In HTML, which tag starts a paragraph: <p>, <br> or <hr>?",
    ]
    assert choice(document, 2).options == [
        "Franz Schubert",
        "Fr\u00e9d\u00e9ric Chopin",
        "Ludwig van Beethoven",
        "Robert Schumann",
    ]
    assert choice(document, 5).answer == "<p>"
    assert not re.search(r"&(#\d+|\w+);", json.dumps(export_document(document)))


def test_boolean_questions_offer_true_and_false() -> None:
    document = imported()
    assert choice(document, 1).options == ["True", "False"]
    assert choice(document, 1).answer == "True"
    assert choice(document, 4).options == ["True", "False"]
    assert choice(document, 4).answer == "False"


def test_multiple_options_are_sorted_so_the_correct_one_is_not_always_first() -> None:
    document = imported()
    assert choice(document, 0).options == ["Neon", "Nickel", "Nitrogen", "Sodium"]
    assert choice(document, 0).answer == "Sodium"
    positions = {
        choice(document, i).options.index(choice(document, i).answer) for i in (0, 2, 5)
    }
    assert len(positions) > 1


def test_the_same_question_imports_the_same_way_whatever_the_order_of_wrong_answers() -> None:
    response = load_json("opentdb_mixed.json")
    shuffled = copy.deepcopy(response)
    for item in shuffled["results"]:
        item["incorrect_answers"].reverse()
    assert imported(shuffled) == imported(response)


def test_caller_supplies_name_category_mode_description_and_the_source_is_kept() -> None:
    document = imported(name=" Mixed bag ", category="General", description="From OpenTDB")
    assert (document.name, document.category, document.description) == (
        "Mixed bag",
        "general",
        "From OpenTDB",
    )
    assert document.mode is Mode.SINGLE
    assert document.source is not None
    assert document.source.model_dump() == OPEN_TRIVIA_DB_SOURCE


def test_competitive_imports_are_grouped_in_rounds() -> None:
    document = imported(mode="competitive")
    rounds = [question.round for question in document.questions]
    assert rounds == [1] * QUESTIONS_PER_ROUND + [2]


def test_a_non_zero_response_code_is_refused_with_its_meaning() -> None:
    with pytest.raises(ValidationFailed, match="response_code 1 .*no results"):
        imported(load_json("opentdb_no_results.json"))


def test_an_empty_result_list_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="no results"):
        imported({"response_code": 0, "results": []})


def broken(index: int, **changes: Any) -> dict[str, Any]:
    response = load_json("opentdb_mixed.json")
    response["results"][index].update(changes)
    return response


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (broken(1, correct_answer="Maybe"), "results.1: a boolean question's correct_answer"),
        (broken(0, type="text"), "results.0.type"),
        (broken(0, correct_answer=None), "results.0.correct_answer"),
        (broken(0, incorrect_answers="Neon"), "results.0.incorrect_answers"),
        (broken(0, correct_answer="Neon"), "options must be distinct"),
        (broken(0, incorrect_answers=["N&eacute;on", "Neon"]), "options must be distinct"),
        (broken(0, question="&nbsp; "), "questions.0"),
        (broken(0, question=42), "results.0.question"),
        ({"results": []}, "response_code"),
        ([], "expected a JSON object"),
        ("not json", "expected a JSON object"),
    ],
)
def test_invalid_items_are_refused_with_a_clear_message(response: Any, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        imported(response)
    assert message in caught.value.message + json.dumps(caught.value.details)


def test_a_bad_caller_field_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        imported(category="Science & Nature")
    assert caught.value.details["problems"][0]["field"] == "category"


def round_trip(document: QuizInput) -> QuizInput:
    exported = json.loads(json.dumps(export_document(document)))
    request = validate(ImportRequest, {"format": "trivia", "document": exported})
    return request.to_document()


@pytest.mark.parametrize(
    "document",
    [sample_document(), competitive_document(), sample_document(source=OPEN_TRIVIA_DB_SOURCE)],
)
def test_export_then_import_gives_the_same_document(document: dict[str, Any]) -> None:
    original = validate(QuizInput, document)
    assert round_trip(original) == original
    assert "null" not in json.dumps(export_document(original))


@pytest.mark.parametrize("path", sorted(SEED.glob("quiz-*.json")), ids=lambda p: p.name)
def test_seed_quizzes_survive_the_round_trip(path: Path) -> None:
    original = validate(QuizInput, json.loads(path.read_text(encoding="utf-8")))
    assert round_trip(original) == original


def test_an_opentdb_import_survives_the_round_trip() -> None:
    original = imported()
    assert round_trip(original) == original


def test_the_import_request_takes_opentdb_with_its_fields() -> None:
    request = validate(
        ImportRequest,
        {
            "format": "opentdb",
            "document": load_json("opentdb_mixed.json"),
            "name": "Mixed bag",
            "category": "general",
            "mode": "single",
        },
    )
    assert request.to_document() == imported()


@pytest.mark.parametrize(
    "body",
    [
        {"format": "csv", "document": {}},
        {"document": sample_document()},
        {"format": "trivia", "document": sample_document(), "name": "extra"},
        {"format": "trivia", "document": sample_document(points=3)},
        {"format": "opentdb", "document": {}, "name": "n", "category": "c"},
        {"format": "opentdb", "document": [], "name": "n", "category": "c", "mode": "single"},
        {"format": "opentdb", "document": {}, "name": "n", "category": "c", "mode": "x"},
    ],
)
def test_the_import_request_refuses_bad_shapes(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        validate(ImportRequest, body)
