"""A fake trivia cloud on loopback for SDK, bot and demo tests, plus tests of the fake itself.

One aiohttp app serves a fake Cognito JSON API (``POST /cognito/``) and the HTTP API routes of
docs/http-api.md with the documented bodies and error shapes. It records every request and can
be told to fail the next calls of a route, to expire tokens early, or to delay the writers (the
leaderboard and experience updates that SNS makes asynchronous on AWS). Scoring follows the
documented rules (open answers via the server's own normalisation).

The e2e suite (tests/e2e/test_cli_*.py, test_demo_*.py) runs the same client code against the
real local cloud, so behaviour the fake gets wrong shows up there.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import queue
import re
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from clients.sdk.endpoints import Endpoints
from services.quizzes.normalize import answer_matches

pytestmark = pytest.mark.integration

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    body: Any
    if_match: str | None = None


@dataclass
class FakeState:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # username -> account
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # player_id -> profile
    access: dict[str, str] = field(default_factory=dict)  # access token -> player_id
    refresh: dict[str, str] = field(default_factory=dict)  # refresh token -> player_id
    quizzes: dict[str, dict[str, Any]] = field(default_factory=dict)
    plays: dict[str, dict[str, Any]] = field(default_factory=dict)
    boards: dict[str, dict[str, int]] = field(default_factory=dict)  # quiz -> player -> score
    requests: list[Recorded] = field(default_factory=list)
    cognito_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    expires_in: int = 3600
    writer_delay: float = 0.0
    answer_delay: float = 0.0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, route: str, status: int, body: Any, times: int = 1) -> None:
        """Make the next ``times`` calls to ``route`` (e.g. ``"GET /me"``) answer this."""
        self.failures.setdefault(route, []).extend([(status, body)] * times)

    def revoke_access_tokens(self) -> None:
        """Every access token stops working, as if it expired early; refresh tokens still work."""
        self.access.clear()

    def routes_called(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]


STATE = web.AppKey("state", FakeState)


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _jwt(claims: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{payload}.{secrets.token_urlsafe(8)}"


# ---------------------------------------------------------------- Cognito


async def _cognito(request: web.Request) -> web.Response:
    state = request.app[STATE]
    target = request.headers.get("X-Amz-Target", "")
    body = json.loads(await request.read())
    state.cognito_calls.append((target, body))
    if request.headers.get("Content-Type") != "application/x-amz-json-1.1":
        return _cognito_error("SerializationException", "wrong content type")
    action = target.removeprefix("AWSCognitoIdentityProviderService.")
    if action == "InitiateAuth":
        return _initiate_auth(state, body)
    if action == "GlobalSignOut":
        player_id = state.access.get(body.get("AccessToken", ""))
        if player_id is None:
            return _cognito_error("NotAuthorizedException", "Access Token has been revoked")
        for tokens in (state.access, state.refresh):
            for token in [t for t, owner in tokens.items() if owner == player_id]:
                del tokens[token]
        return web.json_response({})
    return _cognito_error("InvalidAction", f"unknown action {target}")


def _initiate_auth(state: FakeState, body: dict[str, Any]) -> web.Response:
    params = body.get("AuthParameters", {})
    if body.get("AuthFlow") == "USER_PASSWORD_AUTH":
        user = state.users.get(params.get("USERNAME", "").lower())
        if user is None:
            return _cognito_error("UserNotFoundException", "User does not exist.")
        if user["password"] != params.get("PASSWORD"):
            return _cognito_error("NotAuthorizedException", "Incorrect username or password.")
        refresh = secrets.token_urlsafe(16)
        state.refresh[refresh] = user["player_id"]
        return web.json_response({"AuthenticationResult": _issue(state, user, refresh)})
    if body.get("AuthFlow") == "REFRESH_TOKEN_AUTH":
        player_id = state.refresh.get(params.get("REFRESH_TOKEN", ""))
        if player_id is None:
            return _cognito_error("NotAuthorizedException", "Refresh Token has been revoked")
        user = next(u for u in state.users.values() if u["player_id"] == player_id)
        return web.json_response({"AuthenticationResult": _issue(state, user, None)})
    return _cognito_error("InvalidParameterException", "unsupported flow")


def _issue(state: FakeState, user: dict[str, Any], refresh: str | None) -> dict[str, Any]:
    access = _jwt({"sub": user["player_id"], "username": user["username"]})
    state.access[access] = user["player_id"]
    result = {"AccessToken": access, "IdToken": _jwt({}), "ExpiresIn": state.expires_in}
    if refresh is not None:
        result["RefreshToken"] = refresh
    return result


def _cognito_error(aws_type: str, message: str) -> web.Response:
    return web.json_response({"__type": aws_type, "message": message}, status=400)


# ---------------------------------------------------------------- API plumbing


def route(method: str, template: str, *, public: bool = False) -> Callable[[Handler], Any]:
    def register(fn: Callable[..., Awaitable[web.StreamResponse]]) -> Any:
        ROUTES.append((method, template, fn, public))
        return fn

    return register


ROUTES: list[tuple[str, str, Callable[..., Awaitable[web.StreamResponse]], bool]] = []


def _api(template: str, fn: Callable[..., Any], public: bool) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        raw = await request.read()
        body = json.loads(raw) if raw else None
        auth = request.headers.get("Authorization")
        recorded = Recorded(request.method, request.path, dict(request.query), auth, body)
        recorded.if_match = request.headers.get("If-Match")
        state.requests.append(recorded)
        failures = state.failures.get(f"{request.method} {template}")
        if failures:
            status, failure_body = failures.pop(0)
            return web.json_response(failure_body, status=status)
        player_id = None
        if not public:
            player_id = state.access.get((auth or "").removeprefix("Bearer "))
            if player_id is None:
                return web.json_response({"message": "Unauthorized"}, status=401)
        return await fn(state, request, body, player_id)

    return handle


def _owned_quiz(state: FakeState, request: web.Request, player_id: str) -> dict[str, Any]:
    quiz = state.quizzes.get(request.match_info["quiz_id"])
    if quiz is None or quiz["owner_id"] != player_id:
        raise web.HTTPNotFound(
            text=json.dumps({"error": {"code": "quiz_not_found", "message": "no such quiz"}}),
            content_type="application/json",
        )
    return quiz


def _summary(quiz: dict[str, Any]) -> dict[str, Any]:
    keys = ("quiz_id", "name", "description", "category", "mode", "active", "version")
    return {**{k: quiz[k] for k in keys}, "question_count": len(quiz["questions"])}


def _document(quiz: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "description", "category", "mode", "time_limit_seconds")
    questions = [{k: v for k, v in q.items() if k != "question_id"} for q in quiz["questions"]]
    return {**{k: quiz[k] for k in keys}, "questions": questions}


def _store_quiz(state: FakeState, owner: str, document: dict[str, Any], **kept: Any) -> Any:
    questions = [{"question_id": f"q{i + 1}", **q} for i, q in enumerate(document["questions"])]
    quiz = {
        "quiz_id": kept.get("quiz_id") or f"quiz{next(state.ids)}",
        "owner_id": owner,
        "owner_name": state.profiles[owner]["username"],
        "active": kept.get("active", False),
        "version": kept.get("version", 1),
        "description": "",
        "time_limit_seconds": 20,
        **document,
        "questions": questions,
    }
    state.quizzes[quiz["quiz_id"]] = quiz
    return quiz


# ---------------------------------------------------------------- API routes


@route("POST", "/accounts", public=True)
async def register(state: FakeState, request: web.Request, body: Any, _: None) -> web.Response:
    username = str(body.get("username", ""))
    if not USERNAME.match(username):
        return _error(400, "validation_failed", "username: invalid")
    if len(str(body.get("password", ""))) < 8:
        return _error(400, "weak_password", "password too weak")
    if username.lower() in state.users:
        return _error(409, "username_taken", "username taken")
    player_id = f"player{next(state.ids)}"
    state.users[username.lower()] = {
        "player_id": player_id,
        "username": username,
        "password": body["password"],
    }
    state.profiles[player_id] = {
        "player_id": player_id,
        "username": username,
        "display_name": username,
        "location": "",
        "real_name": "",
        "experience": 0,
        "level": 1,
        "next_level_at": 100,
        "wins": 0,
        "wallet": 0,
    }
    return web.json_response({"player_id": player_id, "username": username}, status=201)


@route("GET", "/me")
async def get_me(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    return web.json_response(state.profiles[me])


@route("PATCH", "/me")
async def patch_me(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    unknown = set(body) - {"display_name", "location", "real_name"}
    if unknown:
        return _error(400, "validation_failed", f"unknown fields {sorted(unknown)}")
    state.profiles[me].update(body)
    return web.json_response(state.profiles[me])


@route("POST", "/quizzes")
async def create(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    return web.json_response(_store_quiz(state, me, body), status=201)


@route("GET", "/quizzes")
async def list_own(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    own = [_summary(q) for q in reversed(state.quizzes.values()) if q["owner_id"] == me]
    return web.json_response({"quizzes": own})


@route("POST", "/quizzes/import")
async def import_(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    if body.get("format") == "trivia":
        return web.json_response(_store_quiz(state, me, body["document"]), status=201)
    questions = [
        {
            "type": "multiple_choice",
            "text": item["question"],
            "options": [item["correct_answer"], *item["incorrect_answers"]],
            "answer": item["correct_answer"],
        }
        for item in body["document"]["results"]
    ]
    document = {k: body[k] for k in ("name", "category", "mode")}
    return web.json_response(
        _store_quiz(state, me, {**document, "questions": questions}), status=201
    )


@route("GET", "/quizzes/{quiz_id}")
async def get_quiz(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    return web.json_response(_owned_quiz(state, request, me))


@route("PUT", "/quizzes/{quiz_id}")
async def put_quiz(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    old = _owned_quiz(state, request, me)
    kept = {"quiz_id": old["quiz_id"], "active": old["active"], "version": old["version"] + 1}
    return web.json_response(_store_quiz(state, me, body, **kept))


@route("DELETE", "/quizzes/{quiz_id}")
async def delete_quiz(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    del state.quizzes[_owned_quiz(state, request, me)["quiz_id"]]
    return web.Response(status=204)


@route("POST", "/quizzes/{quiz_id}/activate")
async def activate(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    quiz = _owned_quiz(state, request, me)
    if quiz["mode"] != "single":
        return _error(409, "quiz_not_playable", "only single-player quizzes can be activated")
    quiz["active"] = True
    return web.json_response(_summary(quiz))


@route("POST", "/quizzes/{quiz_id}/deactivate")
async def deactivate(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    quiz = _owned_quiz(state, request, me)
    quiz["active"] = False
    return web.json_response(_summary(quiz))


@route("GET", "/quizzes/{quiz_id}/export")
async def export(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    return web.json_response(_document(_owned_quiz(state, request, me)))


@route("GET", "/games/single")
async def games(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    category = request.query.get("category")
    listed = [
        {k: q[k] for k in ("quiz_id", "name", "description", "category", "owner_id")}
        | {"question_count": len(q["questions"])}
        for q in state.quizzes.values()
        if q["active"] and (category is None or q["category"] == category)
    ]
    return web.json_response({"games": listed})


@route("POST", "/games/single/{quiz_id}/plays")
async def start(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    quiz = state.quizzes.get(request.match_info["quiz_id"])
    if quiz is None or not quiz["active"]:
        return _error(404, "quiz_not_found", "no such game")
    play_id = f"play{next(state.ids)}"
    shown = [
        {k: q[k] for k in ("question_id", "type", "text", "options") if k in q}
        for q in quiz["questions"]
    ]
    state.plays[play_id] = {"play_id": play_id, "quiz_id": quiz["quiz_id"], "player": me}
    state.plays[play_id]["questions"] = [dict(q) for q in quiz["questions"]]
    started = {"play_id": play_id, "quiz_id": quiz["quiz_id"], "started_at": "2026-01-01T00:00:00Z"}
    return web.json_response({**started, "questions": shown}, status=201)


@route("POST", "/plays/{play_id}/answers")
async def submit(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    play = state.plays.get(request.match_info["play_id"])
    if play is None or play["player"] != me:
        return _error(404, "play_not_found", "no such play")
    await asyncio.sleep(state.answer_delay)
    given = {a["question_id"]: a["answer"] for a in body["answers"]}
    if "result" in play:
        if given != play["given"]:
            return _error(409, "already_submitted", "answers already submitted")
        return web.json_response(play["result"])
    play["given"], play["result"] = given, _score(state, play, given)
    if play["result"]["ranked"]:
        asyncio.get_running_loop().call_later(state.writer_delay, _write, state, play)
    return web.json_response(play["result"])


def _score(state: FakeState, play: dict[str, Any], given: dict[str, str]) -> dict[str, Any]:
    board = [
        {
            "question_id": q["question_id"],
            "correct": answer_matches(
                given.get(q["question_id"], ""), q["answer"], q.get("alternatives", ())
            ),
        }
        for q in play["questions"]
    ]
    correct = sum(1 for row in board if row["correct"])
    total = len(board)
    ranked = not any(
        p is not play
        and p["player"] == play["player"]
        and p["quiz_id"] == play["quiz_id"]
        and "result" in p
        for p in state.plays.values()
    )
    return {
        "play_id": play["play_id"],
        "quiz_id": play["quiz_id"],
        "score": round(100 * correct / total),
        "correct": correct,
        "total": total,
        "ranked": ranked,
        "experience": 10 * correct if ranked else 0,
        "answerboard": board,
    }


def _write(state: FakeState, play: dict[str, Any]) -> None:
    result = play["result"]
    state.boards.setdefault(play["quiz_id"], {})[play["player"]] = result["score"]
    owner = state.quizzes[play["quiz_id"]]["owner_id"]
    for player_id in {play["player"], owner}:
        state.profiles[player_id]["experience"] += result["experience"]


@route("GET", "/plays/{play_id}")
async def get_play(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    play = state.plays.get(request.match_info["play_id"])
    if play is None or play["player"] != me:
        return _error(404, "play_not_found", "no such play")
    keys = ("play_id", "quiz_id", "result")
    return web.json_response({k: play[k] for k in keys if k in play})


@route("GET", "/quizzes/{quiz_id}/leaderboard")
async def board(state: FakeState, request: web.Request, body: Any, me: str) -> web.Response:
    quiz_id = request.match_info["quiz_id"]
    scores = state.boards.get(quiz_id, {})

    def rank(score: int) -> int:
        return 1 + sum(1 for other in scores.values() if other > score)

    ordered = sorted(scores.items(), key=lambda item: -item[1])[:10]
    top = [
        {
            "rank": rank(s),
            "player_id": p,
            "display_name": state.profiles[p]["display_name"],
            "score": s,
        }
        for p, s in ordered
    ]
    mine = {"rank": rank(scores[me]), "score": scores[me]} if me in scores else None
    return web.json_response({"quiz_id": quiz_id, "top": top, "me": mine})


# ---------------------------------------------------------------- the server


@asynccontextmanager
async def fake_cloud() -> AsyncIterator[tuple[Endpoints, FakeState]]:
    """Serve the fake on 127.0.0.1 (a free port); yield its endpoints and its state."""
    state = FakeState()
    app = web.Application()
    app[STATE] = state
    app.router.add_post("/cognito/", _cognito)
    for method, template, fn, public in ROUTES:
        app.router.add_route(method, template, _api(template, fn, public))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    endpoints = Endpoints(
        http_api_url=f"http://127.0.0.1:{port}",
        region="us-east-1",
        user_pool_id="us-east-1_fake",
        user_pool_client_id="fakeclient",
        cognito_endpoint_url=f"http://127.0.0.1:{port}/cognito/",
    )
    try:
        yield endpoints, state
    finally:
        await runner.cleanup()


@contextmanager
def fake_cloud_in_thread() -> Iterator[tuple[Endpoints, FakeState]]:
    """The fake on its own event loop thread, for callers that run ``asyncio.run`` themselves
    (the CLI). Tests may set ``state`` attributes between calls."""
    ready: queue.Queue[tuple[Endpoints, FakeState]] = queue.Queue()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        async with fake_cloud() as served:
            ready.put(served)
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    try:
        yield ready.get(timeout=10)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()


# ---------------------------------------------------------------- tests of the fake


def test_fake_answers_unauthenticated_calls_like_the_gateway() -> None:
    async def scenario() -> tuple[int, Any]:
        async with fake_cloud() as (endpoints, _), aiohttp.ClientSession() as session:
            async with session.get(f"{endpoints.http_api_url}/me") as response:
                return response.status, await response.json()

    assert asyncio.run(scenario()) == (401, {"message": "Unauthorized"})


def test_fake_refuses_cognito_calls_without_the_json_content_type() -> None:
    async def scenario() -> tuple[int, Any]:
        async with fake_cloud() as (endpoints, _), aiohttp.ClientSession() as session:
            headers = {"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}
            async with session.post(endpoints.cognito_url, data="{}", headers=headers) as answer:
                return answer.status, await answer.json(content_type=None)

    status, body = asyncio.run(scenario())
    assert status == 400
    assert body["__type"] == "SerializationException"


def test_threaded_fake_serves_synchronous_callers() -> None:
    with fake_cloud_in_thread() as (endpoints, state):

        async def call() -> int:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{endpoints.http_api_url}/games/single") as answer:
                    return answer.status

        assert asyncio.run(call()) == 401
        assert state.routes_called() == ["GET /games/single"]
