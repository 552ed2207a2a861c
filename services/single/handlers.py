"""SingleGamesFunction: the single-player routes (docs/http-api.md, "Single player").

Glue only: parse the request, call one use case, format the answer.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.core.http import HttpRouter, Request, Response, validate
from services.single import use_cases
from services.single.bodies import GamesQuery, StartPlayBody, SubmitAnswersBody
from services.single.compose import play_services
from services.single.plays import Play
from services.single.ports import ListedQuiz
from services.single.results import PlayResult, result_of

handler = HttpRouter()


@handler.route("GET /games/single")
def list_single_games(request: Request) -> dict[str, Any]:
    _ = request.identity  # an authorized route, even if a gateway forgot its authorizer
    query = validate(GamesQuery, request.query)
    games = use_cases.list_games(play_services(), use_cases.ListGames(category=query.category))
    return {"games": [_game(game) for game in games]}


@handler.route("POST /games/single/{quiz_id}/plays")
def start_play(request: Request) -> Response:
    identity = request.identity
    quiz_id = request.path_param("quiz_id")
    if request.raw_body.strip():
        request.json(StartPlayBody)
    command = use_cases.StartPlay(
        quiz_id=quiz_id, player_id=identity.player_id, username=identity.username
    )
    play = use_cases.start_play(play_services(), command)
    return Response(201, {
        "play_id": play.play_id,
        "quiz_id": play.quiz_id,
        "started_at": play.started_at,
        "questions": [question.public() for question in play.questions],
    })


@handler.route("POST /plays/{play_id}/answers")
def submit_answers(request: Request) -> dict[str, Any]:
    identity = request.identity
    play_id = request.path_param("play_id")
    body = request.json(SubmitAnswersBody)
    command = use_cases.SubmitAnswers(
        play_id=play_id, player_id=identity.player_id, answers=body.pairs()
    )
    return _result(use_cases.submit_answers(play_services(), command))


@handler.route("GET /plays/{play_id}")
def get_play(request: Request) -> dict[str, Any]:
    identity = request.identity
    command = use_cases.GetPlay(
        play_id=request.path_param("play_id"), player_id=identity.player_id
    )
    return _play(use_cases.get_play(play_services(), command))


def _game(game: ListedQuiz) -> dict[str, Any]:
    return {
        "quiz_id": game.quiz_id,
        "name": game.name,
        "description": game.description,
        "category": game.category,
        "question_count": game.question_count,
        "owner_id": game.owner_id,
    }


def _play(play: Play) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "play_id": play.play_id,
        "quiz_id": play.quiz_id,
        "started_at": play.started_at,
    }
    if play.submission is not None:
        shown["submitted_at"] = play.submission.submitted_at
        shown["result"] = _result(result_of(play))
    return shown


def _result(result: PlayResult) -> dict[str, Any]:
    return asdict(result)  # tuples (answerboard, alternatives) become JSON arrays
