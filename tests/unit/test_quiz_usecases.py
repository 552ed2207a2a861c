"""Quiz use cases over the in-memory repository: ownership, versions, activation, import."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from services.core.errors import QuizNotFound, QuizNotPlayable, ServiceUnavailable
from services.core.http import Identity, validate
from services.quizzes import usecases
from services.quizzes.errors import QuizVersionConflict
from services.quizzes.importers import ImportRequest
from services.quizzes.memory import InMemoryQuizRepository
from services.quizzes.model import Mode, Quiz, QuizInput
from services.quizzes.usecases import CreateQuiz, OwnQuiz, ReplaceQuiz
from tests.fixtures.quizzes.support import competitive_document, load_json, sample_document

pytestmark = pytest.mark.unit

ADA = Identity("player-ada", "ada")
BOB = Identity("player-bob", "bob")
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def ticking_clock() -> Iterator[datetime]:
    return (START + timedelta(seconds=n) for n in itertools.count())


@pytest.fixture
def repository() -> InMemoryQuizRepository:
    return InMemoryQuizRepository()


@pytest.fixture
def deps(repository: InMemoryQuizRepository) -> usecases.Dependencies:
    clock = ticking_clock()
    ids = (f"quiz-{n}" for n in itertools.count(1))
    return usecases.Dependencies(
        quizzes=repository, clock=lambda: next(clock), new_id=lambda: next(ids)
    )


def document(**fields: Any) -> QuizInput:
    return validate(QuizInput, sample_document(**fields))


def create(deps: usecases.Dependencies, owner: Identity = ADA, **fields: Any) -> Quiz:
    return usecases.create_quiz(deps, CreateQuiz(owner, document(**fields)))


def test_create_stores_a_new_inactive_quiz_owned_by_the_caller(
    deps: usecases.Dependencies, repository: InMemoryQuizRepository
) -> None:
    quiz = create(deps)
    assert (quiz.quiz_id, quiz.owner_id, quiz.owner_name) == ("quiz-1", "player-ada", "ada")
    assert (quiz.version, quiz.active, quiz.listing) == (1, False, None)
    assert quiz.created_at == quiz.updated_at == "2030-01-01T12:00:00.000000Z"
    assert repository.get("quiz-1") == quiz
    assert repository.writes == [("create", "quiz-1")]


def test_create_draws_another_id_when_one_is_taken(
    deps: usecases.Dependencies, repository: InMemoryQuizRepository
) -> None:
    taken = create(deps)
    ids = iter([taken.quiz_id, taken.quiz_id, "fresh-id"])
    retrying = usecases.Dependencies(quizzes=repository, new_id=lambda: next(ids))
    assert usecases.create_quiz(retrying, CreateQuiz(BOB, document())).quiz_id == "fresh-id"
    assert repository.get(taken.quiz_id) == taken


def test_create_gives_up_with_a_retryable_error_when_ids_keep_colliding(
    deps: usecases.Dependencies, repository: InMemoryQuizRepository
) -> None:
    taken = create(deps)
    stuck = usecases.Dependencies(quizzes=repository, new_id=lambda: taken.quiz_id)
    with pytest.raises(ServiceUnavailable):
        usecases.create_quiz(stuck, CreateQuiz(BOB, document()))


def test_the_default_ids_are_short_url_safe_and_random() -> None:
    ids = {usecases.new_quiz_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 12 and i.replace("-", "").replace("_", "").isalnum() for i in ids)


def test_no_default_id_starts_like_a_command_line_option() -> None:
    # 1 in 64 of token_urlsafe's ids start with "-"; 2,000 draws would all but surely show one.
    assert not [i for i in (usecases.new_quiz_id() for _ in range(2000)) if i[0] in "-_"]


def test_get_own_returns_the_callers_quiz(deps: usecases.Dependencies) -> None:
    quiz = create(deps)
    assert usecases.get_own_quiz(deps, OwnQuiz(ADA.player_id, quiz.quiz_id)) == quiz


def test_someone_elses_quiz_looks_exactly_like_an_unknown_one(
    deps: usecases.Dependencies,
) -> None:
    quiz = create(deps)
    with pytest.raises(QuizNotFound) as foreign:
        usecases.get_own_quiz(deps, OwnQuiz(BOB.player_id, quiz.quiz_id))
    with pytest.raises(QuizNotFound) as unknown:
        usecases.get_own_quiz(deps, OwnQuiz(BOB.player_id, "quiz-404"))
    assert foreign.value.message.replace(quiz.quiz_id, "ID") == (
        unknown.value.message.replace("quiz-404", "ID")
    )


@pytest.mark.parametrize(
    "action",
    [
        lambda deps, ref: usecases.get_own_quiz(deps, ref),
        lambda deps, ref: usecases.delete_quiz(deps, ref),
        lambda deps, ref: usecases.activate_quiz(deps, ref),
        lambda deps, ref: usecases.deactivate_quiz(deps, ref),
        lambda deps, ref: usecases.export_quiz(deps, ref),
        lambda deps, ref: usecases.replace_quiz(
            deps, ReplaceQuiz(BOB, ref.quiz_id, document(name="Hijacked"))
        ),
    ],
    ids=["get", "delete", "activate", "deactivate", "export", "replace"],
)
def test_another_player_cannot_touch_a_quiz(
    deps: usecases.Dependencies, repository: InMemoryQuizRepository, action: Any
) -> None:
    quiz = create(deps)
    writes = list(repository.writes)
    with pytest.raises(QuizNotFound):
        action(deps, OwnQuiz(BOB.player_id, quiz.quiz_id))
    assert repository.get(quiz.quiz_id) == quiz
    assert repository.writes == writes


def test_replace_bumps_the_version_and_keeps_the_creation_time(
    deps: usecases.Dependencies,
) -> None:
    quiz = create(deps)
    replaced = usecases.replace_quiz(deps, ReplaceQuiz(ADA, quiz.quiz_id, document(name="New")))
    assert (replaced.version, replaced.document.name) == (2, "New")
    assert replaced.created_at == quiz.created_at
    assert replaced.updated_at == "2030-01-01T12:00:01.000000Z"
    assert deps.quizzes.get(quiz.quiz_id) == replaced


def test_replace_with_a_stale_version_is_a_conflict_and_changes_nothing(
    deps: usecases.Dependencies,
) -> None:
    quiz = create(deps)
    newer = usecases.replace_quiz(deps, ReplaceQuiz(ADA, quiz.quiz_id, document(name="v2")))
    stale = ReplaceQuiz(ADA, quiz.quiz_id, document(name="stale"), expected_version=1)
    with pytest.raises(QuizVersionConflict) as caught:
        usecases.replace_quiz(deps, stale)
    assert caught.value.status == 409
    assert caught.value.details["version"] == 2
    assert deps.quizzes.get(quiz.quiz_id) == newer


def test_an_active_quiz_stays_listed_only_while_it_is_still_single_player(
    deps: usecases.Dependencies,
) -> None:
    quiz = create(deps)
    usecases.activate_quiz(deps, OwnQuiz(ADA.player_id, quiz.quiz_id))
    still = usecases.replace_quiz(deps, ReplaceQuiz(ADA, quiz.quiz_id, document(name="v2")))
    assert still.active and still.listing == "single#geography"
    hosted = ReplaceQuiz(ADA, quiz.quiz_id, validate(QuizInput, competitive_document()))
    moved = usecases.replace_quiz(deps, hosted)
    assert (moved.active, moved.listing) == (False, None)
    assert deps.quizzes.list_listed(Mode.SINGLE, None) == []


def test_activate_lists_a_single_player_quiz_and_deactivate_unlists_it(
    deps: usecases.Dependencies,
) -> None:
    quiz = create(deps)
    ref = OwnQuiz(ADA.player_id, quiz.quiz_id)
    activated = usecases.activate_quiz(deps, ref)
    assert (activated.active, activated.version, activated.question_count) == (True, 1, 2)
    assert [x.quiz_id for x in deps.quizzes.list_listed("single", "geography")] == [quiz.quiz_id]
    assert usecases.activate_quiz(deps, ref).active  # twice is fine
    assert not usecases.deactivate_quiz(deps, ref).active
    assert deps.quizzes.list_listed("single", "geography") == []
    assert not usecases.deactivate_quiz(deps, ref).active


@pytest.mark.parametrize("mode", ["casual", "live"])
def test_only_single_player_quizzes_can_be_activated(
    deps: usecases.Dependencies, repository: InMemoryQuizRepository, mode: str
) -> None:
    quiz = create(deps, mode=mode)
    with pytest.raises(QuizNotPlayable) as caught:
        usecases.activate_quiz(deps, OwnQuiz(ADA.player_id, quiz.quiz_id))
    assert caught.value.status == 409
    assert repository.get(quiz.quiz_id) == quiz


def test_list_own_returns_only_the_callers_quizzes_newest_first(
    deps: usecases.Dependencies,
) -> None:
    first = create(deps, name="First")
    create(deps, BOB, name="Bob's")
    second = create(deps, name="Second")
    summaries = usecases.list_own_quizzes(deps, ADA.player_id)
    assert [s.quiz_id for s in summaries] == [second.quiz_id, first.quiz_id]
    assert summaries[0].name == "Second" and summaries[0].question_count == 2


def test_delete_removes_the_callers_quiz(deps: usecases.Dependencies) -> None:
    quiz = create(deps)
    usecases.delete_quiz(deps, OwnQuiz(ADA.player_id, quiz.quiz_id))
    assert deps.quizzes.get(quiz.quiz_id) is None
    with pytest.raises(QuizNotFound):
        usecases.delete_quiz(deps, OwnQuiz(ADA.player_id, quiz.quiz_id))


def test_import_creates_a_quiz_from_either_format_and_export_gives_the_document_back(
    deps: usecases.Dependencies,
) -> None:
    exported = usecases.export_quiz(deps, OwnQuiz(ADA.player_id, create(deps).quiz_id))
    request = validate(ImportRequest, {"format": "trivia", "document": exported})
    copy = usecases.import_quiz(deps, usecases.ImportQuiz(BOB, request))
    assert copy.owner_id == BOB.player_id
    assert copy.document == document()
    opentdb = validate(
        ImportRequest,
        {
            "format": "opentdb",
            "document": load_json("opentdb_mixed.json"),
            "name": "Mixed",
            "category": "general",
            "mode": "single",
        },
    )
    from_opentdb = usecases.import_quiz(deps, usecases.ImportQuiz(ADA, opentdb))
    assert len(from_opentdb.document.questions) == 6
    assert from_opentdb.document.source is not None


def test_timestamps_are_fixed_width_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert usecases.timestamp(datetime(2030, 1, 1, 13, 0, tzinfo=paris)) == (
        "2030-01-01T12:00:00.000000Z"
    )
