"""Open answers match after normalisation: case, surrounding spaces, punctuation, accents."""

from __future__ import annotations

import pytest

from services.quizzes.normalize import answer_matches, normalize_answer

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Paris", "paris"),
        ("PARIS", "paris"),
        ("  Paris \t\n", "paris"),
        ("New   York", "new york"),
        ("New\u00a0York", "new york"),
        ("Paris!", "paris"),
        ("U.S.A.", "usa"),
        ("rock-'n'-roll", "rocknroll"),
        ("Reykjavík", "reykjavik"),
        ("Ångström", "angstrom"),
        ("Straße", "strasse"),
        ("CO₂", "co2"),
        ("?!", ""),
    ],
)
def test_normalisation_ignores_case_spaces_punctuation_and_accents(
    given: str, expected: str
) -> None:
    assert normalize_answer(given) == expected


def test_matches_the_answer_or_an_alternative() -> None:
    assert answer_matches(" reykjavik. ", "Reykjavík")
    assert answer_matches("roma", "Rome", ["Roma"])
    assert answer_matches("CO2", "Carbon dioxide", ("CO₂",))
    assert not answer_matches("Milan", "Rome", ["Roma"])


def test_letters_still_count_and_an_empty_answer_never_matches() -> None:
    assert not answer_matches("Rom", "Rome")
    assert not answer_matches("new york city", "New York")
    assert not answer_matches("", "?")
    assert not answer_matches("!!!", "...", ["?"])
