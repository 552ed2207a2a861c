"""TriviaClient against the fake cloud on loopback: wire format, tokens, errors."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import pytest

from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import (
    ApiError,
    NotAuthorized,
    NotLoggedIn,
    SessionExpired,
    TransportError,
    UserNotFound,
)
from clients.sdk.tokens import Tokens
from tests.integration.test_sdk_fake_cloud import FakeState, fake_cloud

pytestmark = pytest.mark.integration

T = TypeVar("T")
PASSWORD = "Sup3r-secret!"
QUIZ = {
    "name": "Capitals",
    "description": "Europe",
    "category": "geography",
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


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def run(scenario: Callable[[Endpoints, FakeState], Awaitable[T]]) -> T:
    async def main() -> T:
        async with fake_cloud() as (endpoints, state):
            return await scenario(endpoints, state)

    return asyncio.run(main())


async def _logged_in(endpoints: Endpoints, name: str = "ann", **kwargs: Any) -> TriviaClient:
    client = TriviaClient(endpoints, **kwargs)
    await client.__aenter__()
    await client.register(name, f"{name}@example.com", PASSWORD)
    await client.login(name, PASSWORD)
    return client


def test_register_and_login_speak_the_documented_wire_format() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        async with TriviaClient(endpoints) as client:
            created = await client.register("ann", "ann@example.com", PASSWORD)
            tokens = await client.login("ann", PASSWORD)
            profile = await client.get_profile()
        assert created["username"] == "ann"
        register = state.requests[0]
        assert (register.method, register.path, register.authorization) == (
            "POST",
            "/accounts",
            None,
        )
        assert register.body == {
            "username": "ann",
            "email": "ann@example.com",
            "password": PASSWORD,
        }
        target, body = state.cognito_calls[0]
        assert target == "AWSCognitoIdentityProviderService.InitiateAuth"
        assert body == {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": "fakeclient",
            "AuthParameters": {"USERNAME": "ann", "PASSWORD": PASSWORD},
        }
        assert state.requests[-1].authorization == f"Bearer {tokens.access_token}"
        assert profile["player_id"] == created["player_id"]
        assert tokens.claims()["username"] == "ann"

    run(scenario)


def test_every_quiz_route() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        client = await _logged_in(endpoints)
        created = await client.create_quiz(QUIZ)
        quiz_id = created["quiz_id"]
        assert [q["question_id"] for q in created["questions"]] == ["q1", "q2"]
        assert [s["quiz_id"] for s in await client.list_quizzes()] == [quiz_id]
        assert (await client.get_quiz(quiz_id))["name"] == "Capitals"
        renamed = await client.replace_quiz(quiz_id, {**QUIZ, "name": "Capitals 2"})
        assert (renamed["name"], renamed["version"]) == ("Capitals 2", 2)
        assert (await client.activate_quiz(quiz_id))["active"] is True
        assert (await client.deactivate_quiz(quiz_id))["active"] is False
        exported = await client.export_quiz(quiz_id)
        assert exported["questions"][0]["answer"] == "Paris"
        copy = await client.import_quiz(exported)
        opentdb = {
            "results": [{"question": "2+2?", "correct_answer": "4", "incorrect_answers": ["5"]}]
        }
        imported = await client.import_quiz(
            opentdb, format="opentdb", name="Maths", category="maths", mode="single"
        )
        assert imported["questions"][0]["options"] == ["4", "5"]
        assert await client.delete_quiz(copy["quiz_id"]) is None
        await client.close()
        import_bodies = [r.body for r in state.requests if r.path == "/quizzes/import"]
        assert import_bodies[0] == {"format": "trivia", "document": exported}
        assert import_bodies[1] == {
            "format": "opentdb",
            "document": opentdb,
            "name": "Maths",
            "category": "maths",
            "mode": "single",
        }
        assert f"DELETE /quizzes/{copy['quiz_id']}" in state.routes_called()

    run(scenario)


def test_single_player_routes_and_leaderboard() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        author = await _logged_in(endpoints, "author")
        quiz_id = (await author.create_quiz(QUIZ))["quiz_id"]
        await author.activate_quiz(quiz_id)
        player = await _logged_in(endpoints, "player")
        games = await player.list_single_games(category="geography")
        assert [g["quiz_id"] for g in games] == [quiz_id]
        assert await player.list_single_games(category="history") == []
        play = await player.start_play(quiz_id)
        assert all("answer" not in q for q in play["questions"])
        result = await player.submit_answers(play["play_id"], {"q1": "Paris", "q2": "oslo!"})
        assert (result["correct"], result["score"], result["ranked"]) == (2, 100, True)
        assert (await player.get_play(play["play_id"]))["result"] == result
        await asyncio.sleep(0.01)  # the fake's writers run on the next loop turn
        board = await player.get_leaderboard(quiz_id)
        assert board["me"] == {"rank": 1, "score": 100}
        profile = await player.update_profile(display_name="Player One", location="Oslo")
        assert (profile["display_name"], profile["experience"]) == ("Player One", 20)
        await author.close()
        await player.close()
        submitted = next(r for r in state.requests if r.path.endswith("/answers"))
        assert submitted.body == {
            "answers": [
                {"question_id": "q1", "answer": "Paris"},
                {"question_id": "q2", "answer": "oslo!"},
            ]
        }
        listing = next(r for r in state.requests if r.path == "/games/single")
        assert listing.query == {"category": "geography"}
        patch = next(r for r in state.requests if r.method == "PATCH")
        assert patch.body == {"display_name": "Player One", "location": "Oslo"}

    run(scenario)


def test_api_errors_carry_status_code_message_and_retryable() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        client = await _logged_in(endpoints)
        with pytest.raises(ApiError) as missing:
            await client.get_quiz("nope")
        busy = {"error": {"code": "service_unavailable", "message": "later", "retryable": True}}
        state.fail_next("POST /plays/{play_id}/answers", 503, busy)
        with pytest.raises(ApiError) as unavailable:
            await client.submit_answers("play1", {"q1": "x"})
        await client.close()
        assert (missing.value.status, missing.value.code) == (404, "quiz_not_found")
        assert (unavailable.value.code, unavailable.value.retryable) == (
            "service_unavailable",
            True,
        )

    run(scenario)


def test_path_ids_are_quoted_so_they_cannot_reach_other_routes() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        client = await _logged_in(endpoints)
        with pytest.raises(ApiError):
            await client.get_quiz("../me")
        await client.close()
        assert "GET /me" not in state.routes_called()

    run(scenario)


def test_tokens_refresh_shortly_before_expiry() -> None:
    clock = Clock()

    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        state.expires_in = 300
        seen: list[Tokens | None] = []
        client = await _logged_in(endpoints, clock=clock, on_tokens=seen.append)
        first = client.tokens
        await client.get_profile()
        clock.now += 250  # 50 s left: inside the refresh margin
        await client.get_profile()
        await client.close()
        assert first is not None and client.tokens is not None
        flows = [body.get("AuthFlow") for _, body in state.cognito_calls]
        assert flows == ["USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH"]
        assert state.cognito_calls[1][1]["AuthParameters"] == {"REFRESH_TOKEN": first.refresh_token}
        assert client.tokens.access_token != first.access_token
        assert client.tokens.refresh_token == first.refresh_token
        assert state.requests[-1].authorization == f"Bearer {client.tokens.access_token}"
        assert seen == [first, client.tokens]

    run(scenario)


def test_concurrent_calls_share_one_refresh() -> None:
    clock = Clock()

    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        client = await _logged_in(endpoints, clock=clock)
        clock.now += 3600
        await asyncio.gather(*(client.get_profile() for _ in range(10)))
        await client.close()
        flows = [body.get("AuthFlow") for _, body in state.cognito_calls]
        assert flows.count("REFRESH_TOKEN_AUTH") == 1

    run(scenario)


def test_a_401_refreshes_once_and_retries_once() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        client = await _logged_in(endpoints)
        state.revoke_access_tokens()
        profile = await client.get_profile()
        assert profile["username"] == "ann"
        state.fail_next("GET /me", 401, {"message": "Unauthorized"}, times=2)
        with pytest.raises(ApiError) as rejected:
            await client.get_profile()
        await client.close()
        assert (rejected.value.status, rejected.value.code) == (401, "unauthorized")
        flows = [body.get("AuthFlow") for _, body in state.cognito_calls]
        assert flows.count("REFRESH_TOKEN_AUTH") == 2  # one per rejected call, never a loop
        assert state.routes_called().count("GET /me") == 4

    run(scenario)


def test_logout_signs_out_everywhere_and_forgets_tokens() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        client = await _logged_in(endpoints)
        old = client.tokens
        await client.logout()
        assert client.tokens is None
        with pytest.raises(NotLoggedIn):
            await client.get_profile()
        assert old is not None and old.refresh_token is not None
        stale = TriviaClient(endpoints, tokens=old)
        async with stale:
            with pytest.raises(SessionExpired) as expired:
                await stale.refresh()
        assert expired.value.code == "session_expired"
        await client.close()
        target, body = state.cognito_calls[1]
        assert target == "AWSCognitoIdentityProviderService.GlobalSignOut"
        assert body == {"AccessToken": old.access_token}

    run(scenario)


def test_cognito_errors_become_sdk_errors() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        async with TriviaClient(endpoints) as client:
            await client.register("ann", "ann@example.com", PASSWORD)
            with pytest.raises(NotAuthorized) as wrong:
                await client.login("ann", "Wrong-passw0rd!")
            with pytest.raises(UserNotFound):
                await client.login("nobody", PASSWORD)
            with pytest.raises(ApiError) as taken:
                await client.register("ann", "ann@example.com", PASSWORD)
        assert wrong.value.code == "not_authorized"
        assert wrong.value.message == "Incorrect username or password."
        assert taken.value.code == "username_taken"

    run(scenario)


def test_tokens_and_passwords_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario(endpoints: Endpoints, state: FakeState) -> Tokens | None:
        client = await _logged_in(endpoints)
        await client.get_profile()
        await client.refresh()
        await client.close()
        return client.tokens

    tokens = run(scenario)
    assert tokens is not None
    assert "GET /me -> 200" in caplog.text
    for secret in (tokens.access_token, tokens.refresh_token or "", PASSWORD):
        assert secret not in caplog.text


def test_a_shared_session_stays_open_and_a_closed_port_is_a_transport_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = Endpoints(
        http_api_url=f"http://127.0.0.1:{port}",
        region="us-east-1",
        user_pool_id="p",
        user_pool_client_id="c",
        cognito_endpoint_url=f"http://127.0.0.1:{port}/",
    )

    async def scenario() -> tuple[bool, str, str]:
        async with aiohttp.ClientSession() as session:
            async with TriviaClient(nowhere, session) as client:
                with pytest.raises(TransportError) as api:
                    await client.register("ann", "a@example.com", PASSWORD)
                with pytest.raises(TransportError) as cognito:
                    await client.login("ann", PASSWORD)
            return session.closed, api.value.code, cognito.value.code

    assert asyncio.run(scenario()) == (False, "network_error", "network_error")


def test_a_slow_answer_times_out_as_a_transport_error() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> str:
        client = await _logged_in(endpoints)
        quiz_id = (await client.create_quiz(QUIZ))["quiz_id"]
        await client.activate_quiz(quiz_id)
        play = await client.start_play(quiz_id)
        state.answer_delay = 1.0
        quick = TriviaClient(endpoints, tokens=client.tokens, timeout=aiohttp.ClientTimeout(0.1))
        async with quick:
            with pytest.raises(TransportError) as slow:
                await quick.submit_answers(play["play_id"], {"q1": "Paris"})
        await client.close()
        return slow.value.code

    assert run(scenario) == "timeout"


def test_calling_before_entering_the_context_is_a_clear_error() -> None:
    async def scenario(endpoints: Endpoints, state: FakeState) -> None:
        with pytest.raises(RuntimeError, match="async with"):
            await TriviaClient(endpoints).register("ann", "a@example.com", PASSWORD)

    run(scenario)
