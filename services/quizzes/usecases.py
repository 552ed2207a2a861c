"""Quiz authoring use cases: plain functions over small commands, dependencies passed in.

Rules (PRODUCT.md, "Quizzes"): only the owner reads a quiz's answers or changes it, and to
anyone else a quiz they do not own does not exist (404, never 403, so ids cannot be probed).
Only ``single`` quizzes are activated by their owner; hosted and live games are opened by a host.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.core.errors import QuizNotFound, QuizNotPlayable, ServiceUnavailable
from services.core.http import Identity
from services.quizzes.errors import QuizIdTaken
from services.quizzes.importers import ImportRequest, export_document
from services.quizzes.model import Mode, Quiz, QuizInput
from services.quizzes.ports import QuizRepository
from services.quizzes.summaries import QuizSummary

Clock = Callable[[], datetime]
_ID_ATTEMPTS = 3
_ID_FIRST_CHARACTERS = string.ascii_letters + string.digits


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_quiz_id() -> str:
    """12 URL-safe characters (~72 random bits): short in a URL, unguessable in practice.

    The first is a letter or digit, so an id is never read as an option on a command line
    (`trivia quiz show -lqk...` failed as "no such option '-l'").
    """
    return secrets.choice(_ID_FIRST_CHARACTERS) + secrets.token_urlsafe(9)[1:]


@dataclass(frozen=True)
class Dependencies:
    quizzes: QuizRepository
    clock: Clock = utc_now
    new_id: Callable[[], str] = new_quiz_id


@dataclass(frozen=True)
class CreateQuiz:
    owner: Identity
    document: QuizInput


@dataclass(frozen=True)
class ReplaceQuiz:
    owner: Identity
    quiz_id: str
    document: QuizInput
    expected_version: int | None = None  # from If-Match; None: the version just read


@dataclass(frozen=True)
class OwnQuiz:
    """Names one of the caller's quizzes: get, delete, activate, deactivate, export."""

    owner_id: str
    quiz_id: str


@dataclass(frozen=True)
class ImportQuiz:
    owner: Identity
    request: ImportRequest


def create_quiz(deps: Dependencies, command: CreateQuiz) -> Quiz:
    now = timestamp(deps.clock())
    for _ in range(_ID_ATTEMPTS):
        quiz = Quiz(
            quiz_id=deps.new_id(),
            owner_id=command.owner.player_id,
            owner_name=command.owner.username,
            created_at=now,
            updated_at=now,
            active=False,
            version=1,
            document=command.document,
        )
        try:
            deps.quizzes.create(quiz)
        except QuizIdTaken:
            continue
        return quiz
    raise ServiceUnavailable("could not allocate a quiz id; retry")


def replace_quiz(deps: Dependencies, command: ReplaceQuiz) -> Quiz:
    """New document, version + 1; stays listed only if it is still a playable quiz."""
    current = get_own_quiz(deps, OwnQuiz(command.owner.player_id, command.quiz_id))
    expected = current.version if command.expected_version is None else command.expected_version
    replacement = Quiz(
        quiz_id=current.quiz_id,
        owner_id=current.owner_id,
        owner_name=command.owner.username,
        created_at=current.created_at,
        updated_at=timestamp(deps.clock()),
        active=current.active and is_playable(command.document),
        version=current.version + 1,
        document=command.document,
    )
    deps.quizzes.replace(replacement, expected_version=expected)
    return replacement


def delete_quiz(deps: Dependencies, command: OwnQuiz) -> None:
    deps.quizzes.delete(command.quiz_id, command.owner_id)


def get_own_quiz(deps: Dependencies, command: OwnQuiz) -> Quiz:
    quiz = deps.quizzes.get(command.quiz_id)
    if quiz is None or quiz.owner_id != command.owner_id:
        raise QuizNotFound(
            f"quiz {command.quiz_id} not found", details={"quiz_id": command.quiz_id}
        )
    return quiz


def list_own_quizzes(deps: Dependencies, owner_id: str) -> list[QuizSummary]:
    return deps.quizzes.list_by_owner(owner_id)


def activate_quiz(deps: Dependencies, command: OwnQuiz) -> QuizSummary:
    quiz = get_own_quiz(deps, command)
    if not is_playable(quiz.document):
        raise QuizNotPlayable(
            f"only single-player quizzes can be activated; this one is {quiz.document.mode}, "
            "and hosts open hosted and live games themselves",
            details={"quiz_id": quiz.quiz_id, "mode": quiz.document.mode.value},
        )
    if quiz.active:
        return QuizSummary.of(quiz)
    activated = deps.quizzes.set_active(
        quiz.quiz_id, quiz.owner_id, True, expected_version=quiz.version
    )
    return QuizSummary.of(activated)


def deactivate_quiz(deps: Dependencies, command: OwnQuiz) -> QuizSummary:
    quiz = get_own_quiz(deps, command)
    if not quiz.active:
        return QuizSummary.of(quiz)
    return QuizSummary.of(deps.quizzes.set_active(quiz.quiz_id, quiz.owner_id, False))


def import_quiz(deps: Dependencies, command: ImportQuiz) -> Quiz:
    return create_quiz(deps, CreateQuiz(command.owner, command.request.to_document()))


def export_quiz(deps: Dependencies, command: OwnQuiz) -> dict[str, Any]:
    return export_document(get_own_quiz(deps, command).document)


def is_playable(document: QuizInput) -> bool:
    """Whether its owner may list it for single play."""
    return document.mode is Mode.SINGLE


def timestamp(moment: datetime) -> str:
    """ISO-8601 UTC, fixed width, so timestamps sort as strings (``by_owner`` relies on it)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
