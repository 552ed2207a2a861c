"""The sample quizzes the local cloud seeds through the HTTP API are valid quiz documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.core.http import validate
from services.quizzes.model import Mode, MultipleChoice, OpenAnswer, QuizInput
from tests.fixtures.quizzes.support import SEED

pytestmark = pytest.mark.unit

CATEGORIES = {"science", "history", "geography", "entertainment", "sports"}
SEED_FILES = sorted(SEED.glob("quiz-*.json"))


def load(path: Path) -> QuizInput:
    return validate(QuizInput, json.loads(path.read_text(encoding="utf-8")))


def test_there_is_one_seed_quiz_per_category() -> None:
    assert sorted(load(path).category for path in SEED_FILES) == sorted(CATEGORIES)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_each_seed_quiz_is_a_playable_single_player_quiz(path: Path) -> None:
    quiz = load(path)
    assert path.name == f"quiz-{quiz.category}.json"
    assert quiz.mode is Mode.SINGLE
    assert 6 <= len(quiz.questions) <= 8
    assert quiz.description


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_each_seed_quiz_mixes_question_types_alternatives_and_follow_ups(path: Path) -> None:
    questions = load(path).questions
    open_answers = [q for q in questions if isinstance(q, OpenAnswer)]
    assert any(isinstance(q, MultipleChoice) for q in questions)
    assert any(q.alternatives for q in open_answers)
    assert any(q.follow_up for q in questions)
    assert len({q.text for q in questions}) == len(questions)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_correct_options_are_not_always_in_the_same_place(path: Path) -> None:
    choices = [q for q in load(path).questions if isinstance(q, MultipleChoice)]
    assert len({q.options.index(q.answer) for q in choices}) > 1
