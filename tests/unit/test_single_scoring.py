"""Scoring on the server: multiple choice, open answers, missing answers, the percentage."""

from __future__ import annotations

import pytest

from services.quizzes.model import MultipleChoice, OpenAnswer
from services.single.plays import Play, PlayQuestion
from services.single.scoring import answerboard, experience_for, grade, is_correct, percentage

pytestmark = pytest.mark.unit

CAPITAL = MultipleChoice(
    type="multiple_choice",
    text="Capital of France?",
    options=["Berlin", "Paris", "Rome"],
    answer="Paris",
    follow_up="Paris has been the capital since 987.",
)
COMPOSER = OpenAnswer(
    type="open",
    text="Who wrote the Moonlight Sonata?",
    answer="Ludwig van Beethoven",
    alternatives=["Beethoven"],
)
CAFE = OpenAnswer(type="open", text="Coffee house in French?", answer="Café")


def _play(*questions: MultipleChoice | OpenAnswer) -> Play:
    return Play(
        play_id="p1",
        player_id="ada",
        username="ada",
        quiz_id="quiz",
        quiz_owner_id="owner",
        started_at="2030-01-01T00:00:00.000Z",
        questions=tuple(PlayQuestion(f"q{i + 1}", q) for i, q in enumerate(questions)),
    )


@pytest.mark.parametrize("given", ["Paris", " paris ", "PARIS", "Paris!"])
def test_multiple_choice_is_correct_when_it_names_the_correct_option(given: str) -> None:
    assert is_correct(CAPITAL, given)


@pytest.mark.parametrize("given", ["Berlin", "Rome", "", "Par", "Paris, Texas"])
def test_multiple_choice_is_wrong_for_any_other_text(given: str) -> None:
    assert not is_correct(CAPITAL, given)


def test_multiple_choice_option_made_of_symbols_counts_when_given_exactly() -> None:
    symbols = MultipleChoice(type="multiple_choice", text="Which is a question mark?",
                             options=["?", "A"], answer="?")
    assert is_correct(symbols, "?")
    assert not is_correct(symbols, "")
    assert not is_correct(symbols, "!")


@pytest.mark.parametrize(
    "given", ["Ludwig van Beethoven", "ludwig VAN beethoven.", "  Beethoven ", "beethoven!"]
)
def test_open_answer_matches_after_normalisation_and_alternatives(given: str) -> None:
    assert is_correct(COMPOSER, given)


@pytest.mark.parametrize("given", ["cafe", "CAFÉ", "Café.", " café "])
def test_open_answer_ignores_accents_case_and_punctuation(given: str) -> None:
    assert is_correct(CAFE, given)


@pytest.mark.parametrize("given", ["Mozart", "", "...", "Beethoven Ludwig"])
def test_open_answer_is_wrong_otherwise(given: str) -> None:
    assert not is_correct(COMPOSER, given)


def test_a_missing_answer_is_wrong() -> None:
    assert not is_correct(CAPITAL, None)
    assert not is_correct(COMPOSER, None)


@pytest.mark.parametrize(
    ("correct", "total", "expected"),
    [(0, 3, 0), (1, 3, 33), (2, 3, 67), (3, 3, 100), (1, 6, 17), (5, 7, 71), (1, 8, 12),
     (3, 8, 38), (0, 0, 0)],
)
def test_percentage_is_rounded(correct: int, total: int, expected: int) -> None:
    assert percentage(correct, total) == expected


def test_experience_is_ten_per_correct_answer_only_when_ranked() -> None:
    assert experience_for(3, ranked=True) == 30
    assert experience_for(3, ranked=False) == 0


def test_grade_counts_missing_answers_as_wrong() -> None:
    play = _play(CAPITAL, COMPOSER, CAFE)
    submission = grade(play, {"q1": "paris", "q3": "Tea"}, submitted_at="2030-01-01T00:01:00Z")
    assert (submission.correct, submission.total, submission.score) == (1, 3, 33)
    assert submission.ranked and submission.experience == 10
    assert submission.answers == {"q1": "paris", "q3": "Tea"}


def test_unranked_submission_keeps_the_score_and_earns_no_experience() -> None:
    submission = grade(_play(CAPITAL), {"q1": "Paris"}, submitted_at="t").unranked()
    assert (submission.score, submission.ranked, submission.experience) == (100, False, 0)


def test_answerboard_shows_answers_alternatives_follow_ups_and_the_players_answer() -> None:
    play = _play(CAPITAL, COMPOSER)
    first, second = answerboard(play, {"q2": "beethoven"})
    assert first.question_id == "q1" and first.text == "Capital of France?"
    assert first.correct_answer == "Paris" and first.alternatives == ()
    assert first.follow_up == "Paris has been the capital since 987."
    assert first.your_answer is None and first.correct is False
    assert second.correct_answer == "Ludwig van Beethoven"
    assert second.alternatives == ("Beethoven",)
    assert second.your_answer == "beethoven" and second.correct is True
