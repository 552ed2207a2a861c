from __future__ import annotations

import random

import pytest

from clients.bots.answering import UNMATCHABLE_ANSWER
from clients.bots.single import (
    Begin,
    BotProtocolError,
    BotSettings,
    Done,
    ErrorReceived,
    PlayStarted,
    Question,
    ResultReceived,
    SingleBot,
    StartPlay,
    SubmitAnswers,
    Think,
)
from services.quizzes.normalize import answer_matches

pytestmark = pytest.mark.unit

CAPITAL = Question("q1", "multiple_choice", "Capital of France?", ("Paris", "Rome", "Oslo"))
PLANET = Question("q2", "open", "Red planet?")
COIN = Question("q3", "multiple_choice", "Heads?", ("True", "False"))
QUESTIONS = (CAPITAL, PLANET, COIN)
KEY = {"q1": "paris", "q2": "Mars", "q3": "False"}


def _bot(accuracy: float = 0.7, seed: int = 1, knowledge: dict[str, str] | None = None):
    settings = BotSettings(accuracy=accuracy, think_seconds=(0.1, 0.3), max_retries=2)
    return SingleBot(settings, random.Random(seed), knowledge)


def _started(bot: SingleBot, questions: tuple[Question, ...] = QUESTIONS) -> SubmitAnswers:
    assert bot.feed(Begin("quiz-1")) == [StartPlay("quiz-1")]
    think, submit = bot.feed(PlayStarted("play-1", questions))
    assert isinstance(think, Think)
    assert isinstance(submit, SubmitAnswers)
    return submit


def test_begin_asks_to_start_a_play_of_that_quiz() -> None:
    assert _bot().feed(Begin("quiz-9")) == [StartPlay("quiz-9")]


def test_perfect_bot_with_the_key_answers_everything_right() -> None:
    bot = _bot(accuracy=1.0, knowledge=KEY)
    submit = _started(bot)
    assert submit.play_id == "play-1"
    # The option is sent exactly as shown, even when the key spells it differently.
    assert submit.answers == {"q1": "Paris", "q2": "Mars", "q3": "False"}
    [done] = bot.feed(ResultReceived({"correct": 3}))
    assert isinstance(done, Done)
    assert done.intended_correct == 3


@pytest.mark.parametrize("seed", range(20))
def test_wrong_answers_are_really_wrong(seed: int) -> None:
    bot = _bot(accuracy=0.0, seed=seed, knowledge=KEY)
    answers = _started(bot).answers
    assert answers["q1"] in ("Rome", "Oslo")
    assert answers["q3"] == "True"
    assert answers["q2"] == UNMATCHABLE_ANSWER
    for question_id, right in KEY.items():
        assert not answer_matches(answers[question_id], right)
    [done] = bot.feed(ResultReceived({"correct": 0}))
    assert isinstance(done, Done) and done.intended_correct == 0


def test_open_wrong_answer_cannot_match_even_punctuation_heavy_answers() -> None:
    assert not answer_matches(UNMATCHABLE_ANSWER, "?!")
    assert not answer_matches(UNMATCHABLE_ANSWER, UNMATCHABLE_ANSWER)


def test_without_the_key_a_bot_guesses_among_the_options() -> None:
    bot = _bot(accuracy=1.0)
    answers = _started(bot).answers
    assert answers["q1"] in CAPITAL.options
    assert answers["q3"] in COIN.options
    assert answers["q2"] == UNMATCHABLE_ANSWER
    [done] = bot.feed(ResultReceived({"correct": 1}))
    assert isinstance(done, Done) and done.intended_correct is None


def test_partial_key_means_no_intended_count() -> None:
    bot = _bot(accuracy=1.0, knowledge={"q1": "Paris"})
    _started(bot)
    [done] = bot.feed(ResultReceived({"correct": 1}))
    assert isinstance(done, Done) and done.intended_correct is None


def test_accuracy_sets_the_share_of_right_answers() -> None:
    questions = tuple(
        Question(f"q{i}", "multiple_choice", "?", ("A", "B", "C", "D")) for i in range(1, 1001)
    )
    key = {q.question_id: "B" for q in questions}
    bot = _bot(accuracy=0.7, seed=7, knowledge=key)
    answers = _started(bot, questions).answers
    right = sum(1 for answer in answers.values() if answer == "B")
    assert 640 <= right <= 760
    [done] = bot.feed(ResultReceived({}))
    assert isinstance(done, Done) and done.intended_correct == right


def test_same_seed_replays_the_same_run_and_another_seed_differs() -> None:
    questions = tuple(Question(f"q{i}", "multiple_choice", "?", ("A", "B", "C")) for i in range(30))
    first, again, other = (_started(_bot(seed=s), questions) for s in (5, 5, 6))
    assert first == again
    assert first.answers != other.answers


def test_thinking_time_is_drawn_per_question_within_the_range() -> None:
    bot = _bot()
    bot.feed(Begin("quiz-1"))
    think, _ = bot.feed(PlayStarted("play-1", QUESTIONS))
    assert isinstance(think, Think)
    assert 0.3 <= think.seconds <= 0.9


def test_result_ends_the_run_with_the_result() -> None:
    bot = _bot(knowledge=KEY)
    _started(bot)
    result = {"play_id": "play-1", "correct": 2}
    [done] = bot.feed(ResultReceived(result))
    assert isinstance(done, Done)
    assert (done.play_id, done.result, done.error_code, done.ok) == ("play-1", result, None, True)


def test_retryable_submit_error_resubmits_the_same_answers_then_gives_up() -> None:
    bot = _bot(knowledge=KEY)
    submit = _started(bot)
    busy = ErrorReceived("service_unavailable", "try again", retryable=True)
    for _ in range(2):
        pause, again = bot.feed(busy)
        assert isinstance(pause, Think) and pause.seconds > 0
        assert again == submit
    [done] = bot.feed(busy)
    assert isinstance(done, Done)
    assert (done.error_code, done.ok, done.play_id) == ("service_unavailable", False, "play-1")


def test_non_retryable_submit_error_ends_the_run() -> None:
    bot = _bot(knowledge=KEY)
    _started(bot)
    [done] = bot.feed(ErrorReceived("already_submitted", "differs"))
    assert isinstance(done, Done) and done.error_code == "already_submitted"


def test_start_error_ends_the_run_without_a_play() -> None:
    bot = _bot()
    bot.feed(Begin("quiz-1"))
    [done] = bot.feed(ErrorReceived("quiz_not_found", "gone", retryable=True))
    assert isinstance(done, Done)
    assert (done.play_id, done.error_code) == (None, "quiz_not_found")


@pytest.mark.parametrize(
    "event",
    [ResultReceived({}), PlayStarted("p", QUESTIONS), ErrorReceived("x")],
)
def test_events_out_of_order_are_a_shell_bug(event: object) -> None:
    with pytest.raises(BotProtocolError):
        _bot().feed(event)  # type: ignore[arg-type]


def test_nothing_is_accepted_after_done() -> None:
    bot = _bot()
    bot.feed(Begin("quiz-1"))
    bot.feed(ErrorReceived("quiz_not_found"))
    with pytest.raises(BotProtocolError):
        bot.feed(Begin("quiz-1"))


@pytest.mark.parametrize(
    "kwargs",
    [{"accuracy": 1.5}, {"accuracy": -0.1}, {"think_seconds": (0.5, 0.1)}, {"max_retries": -1}],
)
def test_settings_refuse_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BotSettings(**kwargs)  # type: ignore[arg-type]
