"""Single-player use cases over in-memory fakes: start, submit, resubmit, replay, publish."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from services.core.errors import (
    AlreadySubmitted,
    PlayNotFound,
    QuizNotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from services.quizzes.memory import InMemoryQuizRepository
from services.quizzes.model import Quiz, QuizInput
from services.single.memory import InMemoryPlayStore, RecordingPublisher
from services.single.plays import Play, PlayAlreadySubmitted, Submission
from services.single.use_cases import (
    GetPlay,
    ListGames,
    PlayServices,
    StartPlay,
    SubmitAnswers,
    get_play,
    list_games,
    start_play,
    submit_answers,
)

pytestmark = pytest.mark.unit

ADA = ("player-ada", "ada")
BOB = ("player-bob", "bob")
OWNER = "player-owner"


def _quiz(quiz_id: str = "capitals", *, active: bool = True, mode: str = "single",
          category: str = "geography") -> Quiz:
    document = QuizInput.model_validate({
        "name": f"Quiz {quiz_id}",
        "category": category,
        "mode": mode,
        "questions": [
            {"type": "multiple_choice", "text": "Capital of France?",
             "options": ["Berlin", "Paris", "Rome"], "answer": "Paris",
             "follow_up": "Since 987."},
            {"type": "open", "text": "Capital of Japan?", "answer": "Tokyo",
             "alternatives": ["Tōkyō"]},
            {"type": "open", "text": "Capital of Peru?", "answer": "Lima"},
        ],
    })
    return Quiz(quiz_id=quiz_id, owner_id=OWNER, owner_name="owner", active=active,
                created_at="2030-01-01T00:00:00Z", updated_at="2030-01-01T00:00:00Z",
                document=document)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def services() -> PlayServices:
    ids = count(1)
    quizzes = [_quiz(), _quiz("history", category="history"), _quiz("off", active=False),
               _quiz("hosted", mode="casual")]
    return PlayServices(
        quizzes=InMemoryQuizRepository(quizzes),
        plays=InMemoryPlayStore(),
        publisher=RecordingPublisher(),
        clock=Clock(),
        new_play_id=lambda: f"play-{next(ids)}",
    )


def _start(services: PlayServices, player: tuple[str, str] = ADA, quiz_id: str = "capitals"):
    return start_play(services, StartPlay(quiz_id=quiz_id, player_id=player[0],
                                          username=player[1]))


def _submit(services: PlayServices, play: Play, player: tuple[str, str] = ADA,
            **answers: str):
    return submit_answers(services, SubmitAnswers(
        play_id=play.play_id, player_id=player[0], answers=tuple(answers.items())))


def test_list_games_lists_active_single_player_quizzes(services: PlayServices) -> None:
    assert {g.quiz_id for g in list_games(services, ListGames())} == {"capitals", "history"}
    assert [g.quiz_id for g in list_games(services, ListGames("history"))] == ["history"]
    assert list_games(services, ListGames("cooking")) == []


def test_start_records_the_server_time_and_a_snapshot_with_answers(
    services: PlayServices,
) -> None:
    play = _start(services)
    stored = services.plays.get(play.play_id)
    assert stored == play
    assert play.started_at == "2030-01-01T00:00:01.000Z"
    assert (play.player_id, play.quiz_owner_id) == ("player-ada", OWNER)
    assert [q.question.answer for q in play.questions] == ["Paris", "Tokyo", "Lima"]


def test_public_questions_carry_no_answers(services: PlayServices) -> None:
    shown = json.dumps([q.public() for q in _start(services).questions])
    for secret in ("Tokyo", "Tōkyō", "Lima", "Since 987", "answer", "alternatives", "follow_up"):
        assert secret not in shown
    assert "Paris" in shown  # as one option among others, not marked


@pytest.mark.parametrize("quiz_id", ["missing", "off", "hosted"])
def test_only_active_single_player_quizzes_can_be_played(
    services: PlayServices, quiz_id: str
) -> None:
    with pytest.raises(QuizNotFound):
        _start(services, quiz_id=quiz_id)
    assert services.plays.plays == {}


def test_first_completed_play_is_ranked_and_published(services: PlayServices) -> None:
    result = _submit(services, _start(services), q1="paris", q2="tokyo", q3="Quito")
    assert (result.score, result.correct, result.total) == (67, 2, 3)
    assert result.ranked and result.experience == 20
    [event] = services.publisher.published
    assert (event.source, event.game_id, event.player_id, event.quiz_owner_id) == (
        "single", result.play_id, "player-ada", OWNER)
    assert (event.score, event.experience, event.ranked) == (67, 20, True)


def test_replay_scores_but_is_unranked_and_earns_nothing(services: PlayServices) -> None:
    _submit(services, _start(services), q1="Berlin")
    replay = _submit(services, _start(services), q1="Paris", q2="Tokyo", q3="Lima")
    assert (replay.score, replay.ranked, replay.experience) == (100, False, 0)
    assert services.publisher.published[-1].ranked is False
    assert services.publisher.published[-1].experience == 0


def test_the_play_completed_first_is_ranked_not_the_one_started_first(
    services: PlayServices,
) -> None:
    older, newer = _start(services), _start(services)
    assert _submit(services, newer, q1="Paris").ranked
    assert not _submit(services, older, q1="Paris").ranked


def test_other_players_and_quizzes_rank_independently(services: PlayServices) -> None:
    _submit(services, _start(services), q1="Paris")
    assert _submit(services, _start(services, BOB), BOB, q1="Paris").ranked
    assert _submit(services, _start(services, quiz_id="history"), q1="Paris").ranked


def test_same_answers_again_return_the_first_result_and_publish_again(
    services: PlayServices,
) -> None:
    play = _start(services)
    first = _submit(services, play, q1="Paris", q2="Osaka")
    for _ in range(10):
        assert _submit(services, play, q2="Osaka", q1="Paris") == first
    assert len(services.publisher.published) == 11
    assert len({event.to_message() for event in services.publisher.published}) == 1


def test_different_answers_after_submitting_are_refused_result_unchanged(
    services: PlayServices,
) -> None:
    play = _start(services)
    first = _submit(services, play, q1="Berlin")
    with pytest.raises(AlreadySubmitted) as refused:
        _submit(services, play, q1="Paris")
    assert refused.value.status == 409 and refused.value.code == "already_submitted"
    stored = get_play(services, GetPlay(play.play_id, ADA[0])).submission
    assert stored is not None and stored.score == first.score == 0
    assert stored.answers == {"q1": "Berlin"}
    assert len(services.publisher.published) == 1


def test_publish_failure_is_retryable_and_resubmitting_publishes(
    services: PlayServices,
) -> None:
    services.publisher.failures = 1
    play = _start(services)
    with pytest.raises(ServiceUnavailable) as failed:
        _submit(services, play, q1="Paris")
    assert failed.value.retryable and failed.value.status == 503
    assert services.plays.get(play.play_id).submission is not None  # the result is kept
    result = _submit(services, play, q1="Paris")
    assert result.ranked and result.score == 33
    assert [event.game_id for event in services.publisher.published] == [play.play_id]


def test_someone_elses_play_is_not_found(services: PlayServices) -> None:
    play = _start(services)
    with pytest.raises(PlayNotFound):
        _submit(services, play, BOB, q1="Paris")
    with pytest.raises(PlayNotFound):
        get_play(services, GetPlay(play.play_id, BOB[0]))
    with pytest.raises(PlayNotFound):
        get_play(services, GetPlay("no-such-play", ADA[0]))
    assert services.plays.get(play.play_id).submission is None


def test_unknown_question_ids_are_refused_and_nothing_is_recorded(
    services: PlayServices,
) -> None:
    play = _start(services)
    with pytest.raises(ValidationFailed) as refused:
        _submit(services, play, q1="Paris", q9="x")
    assert refused.value.details == {"unknown_question_ids": ["q9"]}
    assert services.plays.get(play.play_id).submission is None
    assert services.publisher.published == []


def test_duplicate_question_ids_are_refused(services: PlayServices) -> None:
    play = _start(services)
    command = SubmitAnswers(play.play_id, ADA[0], (("q1", "Paris"), ("q1", "Rome")))
    with pytest.raises(ValidationFailed):
        submit_answers(services, command)


def test_get_play_shows_the_submission_once_there_is_one(services: PlayServices) -> None:
    play = _start(services)
    assert get_play(services, GetPlay(play.play_id, ADA[0])).submission is None
    _submit(services, play, q3="lima")
    submission = get_play(services, GetPlay(play.play_id, ADA[0])).submission
    assert submission is not None and submission.correct == 1


class RacingStore(InMemoryPlayStore):
    """Another request submits the same play between our read and our write."""

    def __init__(self, rival_answers: dict[str, str]) -> None:
        super().__init__()
        self.rival_answers = rival_answers

    def record_first_completion(self, play: Play, submission: Submission) -> None:
        rival = Submission(answers=self.rival_answers, submitted_at="2030-01-01T00:00:00.500Z",
                           ranked=True, score=0, correct=0, total=3, experience=0)
        super().record_first_completion(play, rival)
        super().record_first_completion(play, submission)  # raises PlayAlreadySubmitted


@pytest.mark.parametrize(("rival", "mine_accepted"), [({"q1": "Paris"}, True),
                                                      ({"q1": "Rome"}, False)])
def test_a_submission_racing_another_gets_the_winners_verdict(
    services: PlayServices, rival: dict[str, str], mine_accepted: bool
) -> None:
    racing = PlayServices(services.quizzes, RacingStore(rival), services.publisher,
                          services.clock, services.new_play_id)
    play = _start(racing)
    if mine_accepted:
        assert _submit(racing, play, q1="Paris").score == 0  # the stored (rival's) result
    else:
        with pytest.raises(AlreadySubmitted):
            _submit(racing, play, q1="Paris")
    assert racing.plays.get(play.play_id).submission.answers == rival


def test_in_memory_store_refuses_a_second_submission() -> None:
    store = InMemoryPlayStore()
    with pytest.raises(PlayAlreadySubmitted):
        store.record_submission(
            Play("p", "a", "a", "q", "o", "t", ()),
            Submission({}, "t", False, 0, 0, 0, 0),
        )
