"""LeaderboardsFunction (``GET /quizzes/{quiz_id}/leaderboard``) and LeaderboardWriterFunction
(subscribed to the leaderboard topic). Glue only: parse, call one use case, format."""

from __future__ import annotations

from typing import Any

from services.core.events import PlayerResult
from services.core.http import HttpRouter, Request
from services.core.sns import sns_handler
from services.scores import use_cases
from services.scores.compose import leaderboard_store
from services.scores.leaderboard import Leaderboard

leaderboards = HttpRouter()


@leaderboards.route("GET /quizzes/{quiz_id}/leaderboard")
def get_leaderboard(request: Request) -> dict[str, Any]:
    identity = request.identity
    query = use_cases.ReadLeaderboard(
        quiz_id=request.path_param("quiz_id"), player_id=identity.player_id
    )
    return _leaderboard(use_cases.read_leaderboard(leaderboard_store(), query))


def _record(result: PlayerResult) -> bool:
    return use_cases.record_result(leaderboard_store(), result)


leaderboard_writer = sns_handler(_record)


def _leaderboard(board: Leaderboard) -> dict[str, Any]:
    return {
        "quiz_id": board.quiz_id,
        "top": [
            {
                "rank": ranked.rank,
                "player_id": ranked.entry.player_id,
                "display_name": ranked.entry.display_name,
                "score": ranked.entry.score,
            }
            for ranked in board.top
        ],
        "me": None if board.me is None else {"rank": board.me.rank, "score": board.me.score},
    }
