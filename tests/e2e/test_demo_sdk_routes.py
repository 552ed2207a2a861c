"""The SDK routes the demo and bots rely on, against the real local cloud.

Also holds the fake cloud (tests/integration/test_sdk_fake_cloud.py) to account: the shapes
and rules asserted here are the ones the fake imitates.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import ApiError, SessionExpired

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-1"
CATEGORY = f"e2e-{secrets.token_hex(3)}"
QUIZ = {
    "name": "Capitals",
    "category": CATEGORY,
    "mode": "single",
    "questions": [
        {
            "type": "multiple_choice",
            "text": "Capital of France?",
            "options": ["Paris", "Rome"],
            "answer": "Paris",
        },
        {"type": "open", "text": "Capital of Norway?", "answer": "Oslo"},
    ],
}


async def _player(endpoints: Endpoints) -> TriviaClient:
    name = f"sdk_{secrets.token_hex(4)}"
    client = TriviaClient(endpoints)
    await client.__aenter__()
    await client.register(name, f"{name}@example.com", PASSWORD)
    await client.login(name, PASSWORD)
    return client


async def _eventually(probe: Callable[[], Awaitable[Any]], want: Any, seconds: float = 20) -> Any:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        have = await probe()
        if have == want or asyncio.get_running_loop().time() > deadline:
            return have
        await asyncio.sleep(0.2)


def test_single_player_flow_through_the_sdk(local_cloud: Endpoints) -> None:
    async def scenario() -> None:
        author, player = await _player(local_cloud), await _player(local_cloud)
        try:
            quiz_id = (await author.create_quiz(QUIZ))["quiz_id"]
            await author.activate_quiz(quiz_id)
            games = await player.list_single_games(category=CATEGORY)
            assert [g["quiz_id"] for g in games] == [quiz_id]

            play = await player.start_play(quiz_id)
            assert [q["question_id"] for q in play["questions"]] == ["q1", "q2"]
            assert all("answer" not in q for q in play["questions"])
            answers = {"q1": "Paris", "q2": " oslo! "}
            result = await player.submit_answers(play["play_id"], answers)
            assert (result["correct"], result["score"], result["ranked"]) == (2, 100, True)
            assert result["experience"] == 20
            assert await player.submit_answers(play["play_id"], answers) == result
            with pytest.raises(ApiError) as differs:
                await player.submit_answers(play["play_id"], {"q1": "Rome"})
            assert (differs.value.status, differs.value.code) == (409, "already_submitted")
            assert (await player.get_play(play["play_id"]))["result"]["score"] == 100

            standing = await _eventually(lambda: _mine(player, quiz_id), {"rank": 1, "score": 100})
            assert standing == {"rank": 1, "score": 100}
            assert await _eventually(lambda: _experience(author), 20) == 20

            replay = await player.start_play(quiz_id)
            again = await player.submit_answers(replay["play_id"], {"q1": "Rome"})
            assert (again["ranked"], again["experience"], again["score"]) == (False, 0, 0)

            renamed = await player.update_profile(display_name="Player One")
            assert renamed["display_name"] == "Player One"
            await player.refresh()
            assert (await player.get_profile())["experience"] == 20
            await player.logout()
            with pytest.raises(ApiError) as missing:
                await author.get_leaderboard("no-such-quiz!")
            assert missing.value.code == "validation_failed"
        finally:
            await author.close()
            await player.close()

    asyncio.run(scenario())


async def _mine(client: TriviaClient, quiz_id: str) -> Any:
    return (await client.get_leaderboard(quiz_id))["me"]


async def _experience(client: TriviaClient) -> Any:
    return (await client.get_profile())["experience"]


def test_a_signed_out_session_cannot_be_refreshed(local_cloud: Endpoints) -> None:
    async def scenario() -> None:
        player = await _player(local_cloud)
        tokens = player.tokens
        await player.logout()
        await player.close()
        async with TriviaClient(local_cloud, tokens=tokens) as stale:
            with pytest.raises(SessionExpired):
                await stale.refresh()

    asyncio.run(scenario())
