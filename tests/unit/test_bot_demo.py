"""The demo's pure parts: answer key, percentiles, result checks, expected standings."""

from __future__ import annotations

import pytest

from clients.bots.demo_checks import Expectations, result_problems
from clients.bots.demo_setup import DemoReport, DemoSettings, answer_key, percentile
from clients.bots.demo_single import DEMO_QUIZ

pytestmark = pytest.mark.unit


def test_answer_key_pairs_stored_ids_with_exported_answers() -> None:
    stored = [{"question_id": "q1", "text": "A?"}, {"question_id": "q2", "text": "B?"}]
    exported = [{"text": "A?", "answer": "x"}, {"text": "B?", "answer": "y"}]
    assert answer_key(stored, exported) == {"q1": "x", "q2": "y"}


def test_answer_key_refuses_questions_out_of_order() -> None:
    stored = [{"question_id": "q1", "text": "A?"}, {"question_id": "q2", "text": "B?"}]
    exported = [{"text": "B?", "answer": "y"}, {"text": "A?", "answer": "x"}]
    with pytest.raises(ValueError):
        answer_key(stored, exported)


def test_the_built_in_quiz_is_a_valid_single_player_document() -> None:
    from services.quizzes.model import Mode, QuizInput

    assert QuizInput.model_validate(DEMO_QUIZ).mode is Mode.SINGLE


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [([], 50, None), ([5.0], 95, 5.0), ([1, 2, 3, 4], 50, 2), ([*range(1, 101)], 95, 95)],
)
def test_nearest_rank_percentile(values: list[float], pct: float, expected: float | None) -> None:
    assert percentile(values, pct) == expected


def test_report_summary_is_the_documented_json_line() -> None:
    report = DemoReport(players=3, plays=2, latencies_ms=[10.04, 30.0])
    report.error("play:quiz_not_found", "bot 3")
    assert report.summary() == {
        "mode": "single",
        "players": 3,
        "plays": 2,
        "errors": 1,
        "p50_ms": 10.0,
        "p95_ms": 30.0,
    }


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        DemoSettings(players=0)
    with pytest.raises(ValueError):
        DemoSettings(players=1, accuracy=2)
    assert DemoSettings(players=1, think_ms=(10, 250)).think_seconds == (0.01, 0.25)


GOOD = {"ranked": True, "correct": 3, "total": 5, "score": 60, "experience": 30}


def test_a_sound_first_result_has_no_problems() -> None:
    assert result_problems(GOOD, intended_correct=3) == []
    assert result_problems(GOOD, intended_correct=None) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ranked": False}, "result_not_ranked"),
        ({"experience": 0}, "result_experience_mismatch"),
        ({"score": 50}, "result_score_mismatch"),
    ],
)
def test_unsound_results_are_named(change: dict[str, object], code: str) -> None:
    assert result_problems({**GOOD, **change}, intended_correct=3) == [code]


def test_a_result_that_disagrees_with_the_bot_is_a_problem() -> None:
    assert result_problems(GOOD, intended_correct=4) == ["result_correct_mismatch"]


def test_expected_ranks_count_strictly_better_scores() -> None:
    results = {
        name: {"score": score, "correct": score // 20}
        for name, score in {"a": 80, "b": 80, "c": 100, "d": 20}.items()
    }
    expected = Expectations.from_results(results)
    assert [expected.rank(n) for n in "abcd"] == [2, 2, 1, 4]
    assert expected.top_scores() == [100, 80, 80, 20]
    assert expected.experience == {"a": 40, "b": 40, "c": 50, "d": 10}
    assert expected.author_experience == 140


def test_only_ten_scores_make_the_top() -> None:
    results = {f"p{i}": {"score": i, "correct": 0} for i in range(15)}
    assert Expectations.from_results(results).top_scores() == list(range(14, 4, -1))
