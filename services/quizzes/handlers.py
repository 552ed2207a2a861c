"""QuizzesFunction (infra/template.yaml): parse, call one use case, format.

The caller is always ``request.identity`` (the authorizer's verified claims), never a body or
path field. ``PUT`` honours an optional ``If-Match: "<version>"`` so an editor that read an older
version gets 409 instead of overwriting a newer edit; Quiz responses carry that ``ETag``.
"""

from __future__ import annotations

from services.core.errors import ValidationFailed
from services.core.http import HttpRouter, Request, Response
from services.quizzes import usecases
from services.quizzes.compose import LazyDependencies
from services.quizzes.importers import ImportRequest
from services.quizzes.model import Quiz, QuizInput
from services.quizzes.rendering import quiz_body, summaries_body, summary_body

handler = HttpRouter()
dependencies = LazyDependencies()


@handler.route("POST /quizzes")
def create_quiz(request: Request) -> Response:
    command = usecases.CreateQuiz(request.identity, request.json(QuizInput))
    return _quiz(usecases.create_quiz(dependencies(), command), status=201)


@handler.route("GET /quizzes")
def list_quizzes(request: Request) -> Response:
    owner_id = request.identity.player_id
    return Response(200, summaries_body(usecases.list_own_quizzes(dependencies(), owner_id)))


@handler.route("POST /quizzes/import")
def import_quiz(request: Request) -> Response:
    command = usecases.ImportQuiz(request.identity, request.json(ImportRequest))
    return _quiz(usecases.import_quiz(dependencies(), command), status=201)


@handler.route("GET /quizzes/{quiz_id}")
def get_quiz(request: Request) -> Response:
    return _quiz(usecases.get_own_quiz(dependencies(), _own(request)))


@handler.route("PUT /quizzes/{quiz_id}")
def replace_quiz(request: Request) -> Response:
    identity = request.identity
    quiz_id = request.path_param("quiz_id")
    command = usecases.ReplaceQuiz(
        identity, quiz_id, request.json(QuizInput), expected_version=_if_match(request)
    )
    return _quiz(usecases.replace_quiz(dependencies(), command))


@handler.route("DELETE /quizzes/{quiz_id}")
def delete_quiz(request: Request) -> Response:
    usecases.delete_quiz(dependencies(), _own(request))
    return Response(204)


@handler.route("POST /quizzes/{quiz_id}/activate")
def activate_quiz(request: Request) -> Response:
    return Response(200, summary_body(usecases.activate_quiz(dependencies(), _own(request))))


@handler.route("POST /quizzes/{quiz_id}/deactivate")
def deactivate_quiz(request: Request) -> Response:
    return Response(200, summary_body(usecases.deactivate_quiz(dependencies(), _own(request))))


@handler.route("GET /quizzes/{quiz_id}/export")
def export_quiz(request: Request) -> Response:
    return Response(200, usecases.export_quiz(dependencies(), _own(request)))


def _own(request: Request) -> usecases.OwnQuiz:
    return usecases.OwnQuiz(request.identity.player_id, request.path_param("quiz_id"))


def _quiz(quiz: Quiz, *, status: int = 200) -> Response:
    return Response(status, quiz_body(quiz), headers={"etag": f'"{quiz.version}"'})


def _if_match(request: Request) -> int | None:
    """``If-Match: "3"`` (or ``3``); absent or ``*`` means the version just read."""
    value = request.headers.get("if-match", "").strip()
    if value in ("", "*"):
        return None
    digits = value.removeprefix("W/").strip('"')
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
        raise ValidationFailed(
            'If-Match must be a quiz version, e.g. "3"', details={"field": "If-Match"}
        )
    return int(digits)
