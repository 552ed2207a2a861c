"""Frames generated from the actions schema (hypothesis), valid and invalid, sent by a player who
is in no game: every one gets exactly one error frame valid against the messages schema, and
the connection stays open (QUALITY.md, "Load and fuzzing")."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients.sdk.endpoints import Endpoints
from services.hosted.protocol import validator
from tests.e2e.test_hosted_server_support import Account, Client, register, run_async

pytestmark = pytest.mark.e2e

ACTIONS = validator("actions").schema["properties"]["action"]["enum"]
FIELDS = ("game_id", "quiz_id", "join_code", "question_id", "answer", "last_seq",
          "request_id", "score", "points", "is_correct", "player_id")
CONNECTIONS = 4
PER_CONNECTION_PER_SECOND = 8  # under the rate limit of 10: every reply is about the frame

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=80),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)
well_formed = {
    "game_id": st.from_regex(r"\Ag[0-9a-f]{16}\Z"),
    "quiz_id": st.from_regex(r"\A[A-Za-z0-9_-]{1,20}\Z"),
    "join_code": st.from_regex(r"\A[A-Z2-9]{6}\Z"),
    "question_id": st.from_regex(r"\Aq[0-9]{1,3}\Z"),
    "answer": st.text(min_size=1, max_size=200),
    "last_seq": st.integers(min_value=0, max_value=10**6),
    "request_id": st.from_regex(r"\A[a-z0-9-]{1,32}\Z"),
}


@st.composite
def frames(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["valid", "fields", "garbage"]))
    if kind == "garbage":
        return draw(st.text(max_size=200) | json_values.map(json.dumps))
    action = draw(st.sampled_from(ACTIONS) | st.text(max_size=20))
    frame: dict[str, Any] = {"action": action}
    branch = validator("actions").schema["$defs"].get(action, {})
    for name in branch.get("required", []):
        if name != "action" and name in well_formed:
            frame[name] = draw(well_formed[name])
    if kind == "fields":
        extra = draw(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3))
        frame.update(extra)
    return json.dumps(frame)


@pytest.fixture(scope="module")
def fuzzer(local_cloud: Endpoints) -> Account:
    return register(local_cloud, "fuzz")


@settings(max_examples=6, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batch=st.lists(frames(), min_size=CONNECTIONS * PER_CONNECTION_PER_SECOND,
                      max_size=CONNECTIONS * PER_CONNECTION_PER_SECOND))
def test_every_generated_frame_gets_one_error_and_the_connection_stays(
        local_cloud: Endpoints, fuzzer: Account, batch: list[str]) -> None:
    @run_async
    async def run() -> None:
        clients = [await Client.open(local_cloud, fuzzer) for _ in range(CONNECTIONS)]
        for index, frame in enumerate(batch):
            await clients[index % CONNECTIONS].socket.send(frame)
        for client in clients:
            for _ in range(PER_CONNECTION_PER_SECOND):
                reply = await client.next()
                assert reply["type"] == "error", reply
                assert list(validator("messages").iter_errors(reply)) == [], reply
                assert reply["error"]["code"] != "internal_error", reply
        await asyncio.sleep(1.1)  # a fresh rate-limit window
        for client in clients:
            await client.send("join_game", join_code="ZZZZZZ", request_id="still-open")
            still = await client.next()
            assert still["error"]["code"] == "join_code_not_found"
            assert still["request_id"] == "still-open"

    run()
