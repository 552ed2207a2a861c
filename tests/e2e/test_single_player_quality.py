"""QUALITY.md cases for single player, end to end through the local cloud's real sockets.

- Every SNS message delivered 2–5 times, some in parallel → experience and leaderboard equal one
  delivery (moto → SNS bridge → writer handlers, the same path a real submission takes).
- A player acts on someone else's play or quiz → 404, nothing recorded.
- Nothing a player receives before submitting carries an answer, an alternative or a follow-up.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import ApiError
from services.core.events import PlayerResult

pytestmark = pytest.mark.e2e

PASSWORD = "Quality-Check-9"
SECRETS = ("Canberra", "canberra city", "It is not Sydney.", "Ottawa", "Not Toronto either.")
QUIZ = {
    "name": "Capitals, quality",
    "category": f"quality-{secrets.token_hex(3)}",
    "mode": "single",
    "questions": [
        {"type": "open", "text": "Capital of Australia?", "answer": "Canberra",
         "alternatives": ["canberra city"], "follow_up": "It is not Sydney."},
        {"type": "multiple_choice", "text": "Capital of Canada?",
         "options": ["Toronto", "Ottawa"], "answer": "Ottawa",
         "follow_up": "Not Toronto either."},
    ],
}


async def _player(endpoints: Endpoints) -> TriviaClient:
    name = f"qa_{secrets.token_hex(4)}"
    client = TriviaClient(endpoints)
    await client.__aenter__()
    await client.register(name, f"{name}@example.com", PASSWORD)
    await client.login(name, PASSWORD)
    return client


async def _settled(probe: Callable[[], Awaitable[Any]], want: Any, seconds: float = 20) -> Any:
    """Poll until ``probe()`` returns ``want``, then once more after a pause (no late changes)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while await probe() != want and loop.time() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.5)  # any duplicate still in flight lands now
    return await probe()


def _publish_in_parallel(endpoints: Endpoints, message: str, copies: int) -> None:
    sns = boto3.client(
        "sns", endpoint_url=endpoints.aws_endpoint_url, region_name=endpoints.region,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    topics = [topic["TopicArn"] for topic in sns.list_topics()["Topics"]]
    assert len(topics) >= 2
    with ThreadPoolExecutor(max_workers=copies * len(topics)) as pool:
        for _ in range(copies):
            for topic in topics:
                pool.submit(sns.publish, TopicArn=topic, Message=message)


def test_duplicate_deliveries_count_once(local_cloud: Endpoints) -> None:
    async def scenario() -> None:
        author, player = await _player(local_cloud), await _player(local_cloud)
        try:
            quiz = await author.create_quiz(QUIZ)
            await author.activate_quiz(quiz["quiz_id"])
            me = await player.get_profile()
            owner = await author.get_profile()
            result = PlayerResult(
                source="single", game_id=f"dup-{secrets.token_hex(4)}",
                quiz_id=quiz["quiz_id"], quiz_owner_id=owner["player_id"],
                player_id=me["player_id"], username=me["username"], score=50, correct=1,
                total=2, experience=10, ranked=True,
                completed_at=datetime.now(UTC).isoformat(),
            )
            await asyncio.to_thread(_publish_in_parallel, local_cloud, result.to_message(), 4)

            async def experience() -> tuple[int, int]:
                return ((await player.get_profile())["experience"],
                        (await author.get_profile())["experience"])

            assert await _settled(experience, (10, 10)) == (10, 10)
            board = await player.get_leaderboard(quiz["quiz_id"])
            assert board["me"] == {"rank": 1, "score": 50}
            assert [entry["player_id"] for entry in board["top"]] == [me["player_id"]]
        finally:
            await author.close()
            await player.close()

    asyncio.run(scenario())


def test_nothing_before_submission_carries_an_answer(local_cloud: Endpoints) -> None:
    async def scenario() -> None:
        author, player = await _player(local_cloud), await _player(local_cloud)
        try:
            quiz = await author.create_quiz(QUIZ)
            await author.activate_quiz(quiz["quiz_id"])
            seen = [
                await player.list_single_games(category=QUIZ["category"]),
                play := await player.start_play(quiz["quiz_id"]),
                await player.get_play(play["play_id"]),
                await player.get_leaderboard(quiz["quiz_id"]),
            ]
            text = json.dumps(seen).casefold()
            leaked = [secret for secret in SECRETS if secret.casefold() in text]
            # "Ottawa" is an option of the multiple-choice question, so it may be shown.
            assert leaked == ["Ottawa"]
            assert "answer" not in json.dumps(play["questions"])
            assert "result" not in seen[2]
        finally:
            await author.close()
            await player.close()

    asyncio.run(scenario())


def test_other_players_plays_and_quizzes_are_not_theirs(local_cloud: Endpoints) -> None:
    async def scenario() -> None:
        author, player, intruder = [await _player(local_cloud) for _ in range(3)]
        try:
            quiz = await author.create_quiz(QUIZ)
            await author.activate_quiz(quiz["quiz_id"])
            play = await player.start_play(quiz["quiz_id"])
            attempts: list[Callable[[], Awaitable[Any]]] = [
                lambda: intruder.get_play(play["play_id"]),
                lambda: intruder.submit_answers(play["play_id"], {"q1": "Canberra"}),
                lambda: intruder.get_quiz(quiz["quiz_id"]),
                lambda: intruder.export_quiz(quiz["quiz_id"]),
                lambda: intruder.deactivate_quiz(quiz["quiz_id"]),
                lambda: intruder.delete_quiz(quiz["quiz_id"]),
                lambda: intruder.replace_quiz(quiz["quiz_id"], {**QUIZ, "name": "Mine now"}),
            ]
            for attempt in attempts:
                with pytest.raises(ApiError) as refused:
                    await attempt()
                assert refused.value.status == 404
            # Nothing was recorded: the play is still open, the quiz unchanged and listed.
            assert "submitted_at" not in await player.get_play(play["play_id"])
            kept = await author.get_quiz(quiz["quiz_id"])
            assert (kept["name"], kept["active"], kept["version"]) == (QUIZ["name"], True, 1)
            result = await player.submit_answers(play["play_id"], {"q1": "canberra city"})
            assert (result["correct"], result["ranked"]) == (1, True)
        finally:
            for client in (author, player, intruder):
                await client.close()

    asyncio.run(scenario())
