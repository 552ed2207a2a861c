"""Single-player flows through the handlers, on moto: start, submit, replay, resubmit, and the
fan-out to the leaderboard and progress writers (QUALITY.md, "Duplicates and races",
"Cheating and access")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from services.players.handlers import accounts, progress_writer
from services.quizzes.model import Quiz, QuizInput
from services.quizzes.repository import DynamoQuizRepository
from services.scores.handlers import leaderboard_writer, leaderboards
from services.single.handlers import handler
from tests.integration.play_support import (
    LocalAws,
    Player,
    call,
    http_event,
    local_aws,
    sns_event,
)

pytestmark = pytest.mark.integration

ADA = Player("4f1c2b8e-0000-4000-8000-000000000001", "ada")
BOB = Player("4f1c2b8e-0000-4000-8000-000000000002", "bob")
OWNER = Player("4f1c2b8e-0000-4000-8000-0000000000aa", "olga")

# Distinctive strings that must never reach a player before they submit.
SECRETS = ("Canberra", "Kanbera", "Ottawa", "Bytown", "Founded as a compromise",
           "Named after a tribe", "Strine")
DOCUMENT = {
    "name": "Capitals",
    "description": "Capital cities",
    "category": "geography",
    "mode": "single",
    "questions": [
        {"type": "multiple_choice", "text": "Capital of France?",
         "options": ["Berlin", "Paris", "Rome"], "answer": "Paris",
         "follow_up": "Strine for 'Paris' is still Paris."},
        {"type": "open", "text": "Capital of Australia?", "answer": "Canberra",
         "alternatives": ["Kanbera"], "follow_up": "Founded as a compromise."},
        {"type": "open", "text": "Capital of Canada?", "answer": "Ottawa",
         "alternatives": ["Bytown"], "follow_up": "Named after a tribe."},
    ],
}
ALL_RIGHT = [{"question_id": "q1", "answer": "paris"},
             {"question_id": "q2", "answer": " CANBERRA "},
             {"question_id": "q3", "answer": "bytown"}]


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    with local_aws(monkeypatch) as aws:
        repository = DynamoQuizRepository(aws.dynamodb, aws.refs["QuizzesTable"])
        repository.create(_quiz("capitals", DOCUMENT, active=True))
        repository.create(_quiz("drafts", DOCUMENT, active=False))
        repository.create(_quiz("hosted", {**DOCUMENT, "mode": "casual"}, active=True))
        repository.create(_quiz("history", {**DOCUMENT, "category": "history"}, active=True))
        yield aws


def _quiz(quiz_id: str, document: dict[str, Any], *, active: bool) -> Quiz:
    return Quiz(quiz_id=quiz_id, owner_id=OWNER.player_id, owner_name=OWNER.username,
                created_at="2030-01-01T00:00:00.000Z", updated_at="2030-01-01T00:00:00.000Z",
                active=active, document=QuizInput.model_validate(document))


def _start(player: Player = ADA, quiz_id: str = "capitals", body: Any = None) -> tuple[int, Any]:
    return call(handler, http_event("POST /games/single/{quiz_id}/plays", player=player,
                                    path={"quiz_id": quiz_id}, body=body))


def _submit(play_id: str, answers: Any, player: Player = ADA) -> tuple[int, Any]:
    body = answers if isinstance(answers, dict) else {"answers": answers}
    return call(handler, http_event("POST /plays/{play_id}/answers", player=player,
                                    path={"play_id": play_id}, body=body))


def _get_play(play_id: str, player: Player = ADA) -> tuple[int, Any]:
    return call(handler, http_event("GET /plays/{play_id}", player=player,
                                    path={"play_id": play_id}))


def _started(player: Player = ADA) -> str:
    status, body = _start(player)
    assert status == 201, body
    return body["play_id"]


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for inner in value.values() for key in _keys(inner)}
    if isinstance(value, list):
        return {key for inner in value for key in _keys(inner)}
    return set()


# ------------------------------------------------------------------------------ listing


def test_list_single_games_by_category(cloud: LocalAws) -> None:
    status, body = call(handler, http_event("GET /games/single", player=ADA))
    assert status == 200
    assert sorted(game["quiz_id"] for game in body["games"]) == ["capitals", "history"]
    status, body = call(handler, http_event("GET /games/single", player=ADA,
                                            query={"category": "geography"}))
    assert status == 200
    assert body["games"] == [{
        "quiz_id": "capitals", "name": "Capitals", "description": "Capital cities",
        "category": "geography", "question_count": 3, "owner_id": OWNER.player_id,
    }]
    status, body = call(handler, http_event("GET /games/single", player=ADA,
                                            query={"category": "no spaces!"}))
    assert (status, body["error"]["code"]) == (400, "validation_failed")


# ------------------------------------------------------------------------------ start


def test_started_play_carries_no_answers_anywhere(cloud: LocalAws) -> None:
    status, body = _start(body={})
    assert status == 201
    raw = json.dumps(body)
    for secret in SECRETS:
        assert secret not in raw
    assert not _keys(body) & {"answer", "alternatives", "follow_up", "correct",
                              "correct_answer"}
    assert body["questions"] == [
        {"question_id": "q1", "type": "multiple_choice", "text": "Capital of France?",
         "options": ["Berlin", "Paris", "Rome"]},
        {"question_id": "q2", "type": "open", "text": "Capital of Australia?"},
        {"question_id": "q3", "type": "open", "text": "Capital of Canada?"},
    ]
    [item] = [i for i in cloud.items("PlaysTable") if i["play_id"]["S"] == body["play_id"]]
    assert item["player_id"]["S"] == ADA.player_id
    assert item["quiz_owner_id"]["S"] == OWNER.player_id
    assert item["started_at"]["S"] == body["started_at"]
    assert item["questions"]["L"][1]["M"]["answer"]["S"] == "Canberra"  # server-side only


def test_unsubmitted_play_reads_back_without_result(cloud: LocalAws) -> None:
    play_id = _started()
    status, body = _get_play(play_id)
    assert status == 200 and set(body) == {"play_id", "quiz_id", "started_at"}
    assert not any(secret in json.dumps(body) for secret in SECRETS)


@pytest.mark.parametrize("quiz_id", ["drafts", "hosted", "nothing-here"])
def test_inactive_other_mode_or_unknown_quiz_cannot_be_played(
    cloud: LocalAws, quiz_id: str
) -> None:
    status, body = _start(quiz_id=quiz_id)
    assert (status, body["error"]["code"]) == (404, "quiz_not_found")
    assert cloud.items("PlaysTable") == []


def test_start_refuses_a_body_with_fields(cloud: LocalAws) -> None:
    status, body = _start(body={"player_id": BOB.player_id})
    assert (status, body["error"]["code"]) == (400, "validation_failed")


# ------------------------------------------------------------------------------ submit


def test_submit_scores_on_the_server_and_publishes_to_both_topics(cloud: LocalAws) -> None:
    play_id = _started()
    status, result = _submit(play_id, [{"question_id": "q1", "answer": "Paris"},
                                       {"question_id": "q2", "answer": "Sydney"}])
    assert status == 200
    assert {k: result[k] for k in ("play_id", "quiz_id", "score", "correct", "total",
                                   "ranked", "experience")} == {
        "play_id": play_id, "quiz_id": "capitals", "score": 33, "correct": 1, "total": 3,
        "ranked": True, "experience": 10}
    assert result["answerboard"][1] == {
        "question_id": "q2", "text": "Capital of Australia?", "correct_answer": "Canberra",
        "alternatives": ["Kanbera"], "follow_up": "Founded as a compromise.",
        "your_answer": "Sydney", "correct": False}
    assert result["answerboard"][2]["your_answer"] is None
    for topic in ("LeaderboardTopic", "ProgressTopic"):
        [message] = cloud.published(topic)
        event = json.loads(message)
        assert (event["source"], event["game_id"], event["player_id"], event["ranked"],
                event["experience"], event["quiz_owner_id"]) == (
            "single", play_id, ADA.player_id, True, 10, OWNER.player_id)
    status, state = _get_play(play_id)
    assert status == 200 and state["result"] == result
    assert state["submitted_at"] >= state["started_at"]


def test_replay_is_scored_but_unranked(cloud: LocalAws) -> None:
    _submit(_started(), ALL_RIGHT[:1])
    status, replay = _submit(_started(), ALL_RIGHT)
    assert status == 200
    assert (replay["score"], replay["ranked"], replay["experience"]) == (100, False, 0)
    assert json.loads(cloud.published("ProgressTopic")[-1])["ranked"] is False


@pytest.mark.parametrize(
    "answers",
    [
        [{"question_id": "q1", "answer": "Paris", "is_correct": True}],
        [{"question_id": "q1", "answer": "Paris", "points": 1000}],
        {"answers": [], "score": 100},
        {"answers": [], "player_id": BOB.player_id},
        [{"question_id": "q1", "answer": "Paris"}, {"question_id": "q1", "answer": "Rome"}],
        [{"question_id": "q4", "answer": "Paris"}],
        [{"question_id": "q1", "answer": "x" * 201}],
    ],
)
def test_bad_answers_are_refused_and_nothing_recorded(cloud: LocalAws, answers: Any) -> None:
    play_id = _started()
    status, body = _submit(play_id, answers)
    assert (status, body["error"]["code"]) == (400, "validation_failed")
    assert "result" not in _get_play(play_id)[1]
    assert cloud.published("LeaderboardTopic") == []


def test_same_answers_ten_times_then_different(cloud: LocalAws) -> None:
    play_id = _started()
    first = _submit(play_id, ALL_RIGHT[:2])
    assert first[0] == 200 and first[1]["score"] == 67
    for _ in range(10):
        assert _submit(play_id, list(reversed(ALL_RIGHT[:2]))) == first
    status, body = _submit(play_id, ALL_RIGHT)
    assert (status, body["error"]["code"]) == (409, "already_submitted")
    status, state = _get_play(play_id)
    assert state["result"] == first[1] and state["result"]["score"] == 67
    for topic in ("LeaderboardTopic", "ProgressTopic"):
        published = cloud.published(topic)
        assert len(published) == 11 and len(set(published)) == 1  # the same message each time


def test_another_players_play_is_not_found(cloud: LocalAws) -> None:
    play_id = _started(ADA)
    assert _get_play(play_id, BOB)[1]["error"]["code"] == "play_not_found"
    status, body = _submit(play_id, ALL_RIGHT, BOB)
    assert (status, body["error"]["code"]) == (404, "play_not_found")
    assert "result" not in _get_play(play_id, ADA)[1]
    status, body = _get_play("first#capitals#" + ADA.player_id)
    assert status == 400  # marker items are not addressable as plays


def test_publish_failure_is_a_retryable_503_and_resubmitting_publishes(
    cloud: LocalAws,
) -> None:
    play_id = _started()
    cloud.sns.delete_topic(TopicArn=cloud.refs["ProgressTopic"])
    status, body = _submit(play_id, ALL_RIGHT)
    assert status == 503 and body["error"]["retryable"] is True
    assert _get_play(play_id)[1]["result"]["ranked"] is True  # kept, not lost
    cloud.create_topic("ProgressTopic")  # same name, same ARN
    status, result = _submit(play_id, ALL_RIGHT)
    assert status == 200 and result["ranked"] and result["score"] == 100
    assert len(cloud.published("LeaderboardTopic")) == 2
    [delivered] = cloud.published("ProgressTopic")
    assert json.loads(delivered)["game_id"] == play_id


def test_requests_without_claims_are_unauthorized(cloud: LocalAws) -> None:
    status, body = call(handler, http_event("GET /games/single", player=None))
    assert (status, body["error"]["code"]) == (401, "unauthorized")


# ------------------------------------------------------------------------------ fan-out


def _deliver(writer: Any, message: str, times: int = 3, parallel: int = 4) -> None:
    for _ in range(times):
        writer(sns_event(message), None)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(lambda _: writer(sns_event(message), None), range(parallel)))


def test_results_fan_out_once_to_leaderboard_and_progress(cloud: LocalAws) -> None:
    _submit(_started(), ALL_RIGHT[:2])  # first: ranked, 67, 20 experience
    _submit(_started(), ALL_RIGHT)  # replay: unranked, 100, no experience
    for message in cloud.published("LeaderboardTopic"):
        _deliver(leaderboard_writer, message)
    for message in cloud.published("ProgressTopic"):
        _deliver(progress_writer, message)

    status, board = call(leaderboards, http_event(
        "GET /quizzes/{quiz_id}/leaderboard", player=ADA, path={"quiz_id": "capitals"}))
    assert status == 200
    assert board == {"quiz_id": "capitals",
                     "top": [{"rank": 1, "player_id": ADA.player_id, "display_name": "ada",
                              "score": 67}],
                     "me": {"rank": 1, "score": 67}}
    me = call(accounts, http_event("GET /me", player=ADA))[1]
    assert (me["experience"], me["level"], me["next_level_at"]) == (20, 1, 100)
    owner = call(accounts, http_event("GET /me", player=OWNER))[1]
    assert (owner["username"], owner["experience"]) == ("olga", 20)
