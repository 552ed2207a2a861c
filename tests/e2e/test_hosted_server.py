"""Hosted games over the local cloud's WebSocket API, with real sockets and real Cognito tokens
(QUALITY.md: "WebSocket", "Duplicates and races", "Cheating and access")."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from clients.sdk.endpoints import Endpoints
from tests.e2e.test_hosted_server_support import (
    CASUAL_QUIZ,
    SECRETS,
    Account,
    Client,
    connection_records,
    create_quiz,
    http_get,
    join,
    open_game,
    register,
    resigned,
    run_async,
    ws_url,
)

pytestmark = pytest.mark.e2e

HOST_ACTIONS = ("start_game", "next_question", "close_question", "reveal", "show_scoreboard",
                "end_game")


@pytest.fixture(scope="module")
def host(local_cloud: Endpoints) -> Account:
    return register(local_cloud, "host")


@pytest.fixture(scope="module")
def quiz_id(local_cloud: Endpoints, host: Account) -> str:
    return create_quiz(local_cloud, host)


@pytest.fixture
def players(local_cloud: Endpoints) -> list[Account]:
    return [register(local_cloud, "player") for _ in range(3)]


def _assert_no_answer_leaked(frames: list[dict]) -> None:
    for frame in frames:
        if frame.get("type") == "reveal":
            return
        text = json.dumps(_without_own_counts(frame))
        # An error may name the fields a client sent ("is_correct"), never an answer.
        watched = SECRETS if frame.get("type") != "error" else SECRETS[:4]
        leaked = [secret for secret in watched if secret in text]
        assert not leaked, (leaked, frame)


# ------------------------------------------------------------------ connecting


@pytest.mark.parametrize("token", ["none", "garbage", "expired"])
@run_async
async def test_connect_without_a_valid_token_is_refused_and_leaves_no_record(
        local_cloud: Endpoints, token: str) -> None:
    account = register(local_cloud, "refused")
    sent = {"none": None, "garbage": "not-a-jwt",
            "expired": resigned(account, -5).token}[token]
    with pytest.raises(InvalidStatus) as refused:
        await connect(ws_url(local_cloud, sent))
    assert refused.value.response.status_code == 401
    assert connection_records(local_cloud, account.player_id) == []


@run_async
async def test_a_connection_has_a_record_until_it_closes(local_cloud: Endpoints) -> None:
    account = register(local_cloud, "record")
    client = await Client.open(local_cloud, account)
    (record,) = connection_records(local_cloud, account.player_id)
    assert int(record["token_expires_at"]["N"]) == account.expires_at
    assert "token" not in json.dumps(record).lower().replace("token_expires_at", "")
    await client.close()
    for _ in range(50):
        if not connection_records(local_cloud, account.player_id):
            break
        await asyncio.sleep(0.1)
    assert connection_records(local_cloud, account.player_id) == []


@run_async
async def test_a_frame_over_32_kb_is_closed_1009(local_cloud: Endpoints) -> None:
    client = await Client.open(local_cloud, register(local_cloud, "big"))
    await client.socket.send(json.dumps({"action": "answer", "answer": "x" * 40_000}))
    with pytest.raises(ConnectionClosed):
        await client.next(5)
    assert client.socket.close_code == 1009


@run_async
async def test_a_message_over_128_kb_in_small_frames_is_closed_1009(
        local_cloud: Endpoints) -> None:
    client = await Client.open(local_cloud, register(local_cloud, "big"))
    await client.socket.send(["y" * 16_000 for _ in range(9)])  # 9 frames of 16 KB
    with pytest.raises(ConnectionClosed):
        await client.next(5)
    assert client.socket.close_code == 1009


@run_async
async def test_valid_json_over_the_schema_size_gets_an_error_and_the_connection_stays(
        local_cloud: Endpoints, host: Account, quiz_id: str) -> None:
    client = await Client.open(local_cloud, host)
    await client.send("open_game", quiz_id=quiz_id, request_id="big-1", padding="z" * 6000)
    error = await client.expect("error")
    assert error["error"]["code"] == "validation_failed" and error["request_id"] == "big-1"
    opened = await client.call("open_game", "game_opened", quiz_id=quiz_id)
    assert opened["join_code"]
    await client.send("end_game", game_id=opened["game_id"])
    await client.close()


@run_async
async def test_unknown_actions_and_bad_json_get_error_frames(local_cloud: Endpoints) -> None:
    client = await Client.open(local_cloud, register(local_cloud, "odd"))
    await client.send("teleport")
    assert (await client.error())["code"] == "unknown_action"
    await client.socket.send("{not json")
    assert (await client.error())["code"] == "validation_failed"
    await client.socket.send("[]")
    assert (await client.error())["code"] == "validation_failed"
    await client.close()


@run_async
async def test_a_connection_past_its_token_expiry_is_refused_and_closed(
        local_cloud: Endpoints, quiz_id: str) -> None:
    # Long enough for the connect and the first action on a busy machine; then it must expire.
    account = resigned(register(local_cloud, "expiring"), 8)
    client = await Client.open(local_cloud, account)
    await client.send("join_game", join_code="ZZZZZZ")
    assert (await client.error())["code"] == "join_code_not_found"
    await asyncio.sleep(max(0.0, account.expires_at - time.time()) + 1.1)
    await client.send("join_game", join_code="ZZZZZZ")
    assert (await client.error())["code"] == "token_expired"
    with pytest.raises(ConnectionClosed):
        await client.next(5)
    assert connection_records(local_cloud, account.player_id) == []


# ------------------------------------------------------------------ a whole game


def _without_own_counts(frame: dict) -> dict:
    """The frame without a player's own count of correct answers (``you``, ``your_correct``),
    whose name says "correct": before a reveal it counts only revealed questions
    (tests/integration/test_hosted_use_cases.py)."""
    own = {key: value for key, value in frame.items() if key != "you"}
    if isinstance(frame.get("state"), dict):
        own["state"] = {k: v for k, v in frame["state"].items() if k != "your_correct"}
    return own


@run_async
async def test_a_casual_game_from_open_to_end(local_cloud: Endpoints, host: Account,
                                              quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    ann, bob = [await join(local_cloud, p, code) for p in players[:2]]
    await h.expect("player_joined", players=2)
    await h.send("start_game", game_id=game_id)
    started = await ann.expect("game_started")
    assert started["players"] == 2

    await h.send("next_question", game_id=game_id)
    question = (await ann.expect("question"))["question"]
    assert question["question_id"] == "q1" and "answer" not in question
    await bob.expect("question")
    # ann answers right, then replays it 10 times and tries to change it (paced: the rate
    # limit is 10 actions per second)
    accepted = await ann.call("answer", "answer_accepted", game_id=game_id, question_id="q1",
                              answer="Rome")
    for _ in range(10):
        again = await ann.call("answer", "answer_accepted", game_id=game_id,
                               question_id="q1", answer="rome")
        assert again["question_id"] == "q1" and again["seq"] > accepted["seq"]
        await asyncio.sleep(0.12)
    await ann.send("answer", game_id=game_id, question_id="q1", answer="Milan")
    assert (await ann.error())["code"] == "already_answered"
    # bob claims points and a verdict
    await bob.send("answer", game_id=game_id, question_id="q1", answer="Milan", points=1000,
                   is_correct=True)
    assert (await bob.error())["code"] == "validation_failed"
    await bob.call("answer", "answer_accepted", game_id=game_id, question_id="q1",
                   answer="Milan")
    progress = await h.expect("answer_progress", answered=2)
    assert progress["players"] == 2

    await h.send("close_question", game_id=game_id)
    closed = await ann.expect("question_closed")
    assert closed["answered"] == 2
    await h.send("reveal", game_id=game_id)
    reveal = (await bob.expect("reveal"))["questions"][0]
    assert reveal["correct_answer"] == "Rome" and reveal["alternatives"] == ["Roma"]
    assert (reveal["answered"], reveal["answered_correctly"]) == (2, 1)
    assert sorted((a["answer"], a["count"], a["correct"]) for a in reveal["answers"]) == [
        ("Milan", 1, False), ("Rome", 1, True)]
    # each player's copy has their own answer; the host's has nobody's
    assert reveal["yours"] == {"answer": "Milan", "correct": False, "points": 0}
    mine = (await ann.expect("reveal"))["questions"][0]["yours"]
    assert (mine["answer"], mine["correct"]) == ("Rome", True) and 500 <= mine["points"] <= 1000
    points = mine["points"]
    assert "yours" not in (await h.expect("reveal"))["questions"][0]

    await h.send("show_scoreboard", game_id=game_id)
    board = await ann.expect("scoreboard")
    assert board["scores"][0] == {"rank": 1, "player_id": players[0].player_id,
                                  "display_name": players[0].username, "score": points}
    assert board["players"] == 2 and board["you"] == {"rank": 1, "score": points, "correct": 1}
    assert (await bob.expect("scoreboard"))["you"] == {"rank": 2, "score": 0, "correct": 0}
    assert "you" not in await h.expect("scoreboard")
    await h.send("end_game", game_id=game_id)
    ended = await bob.expect("game_ended")
    assert [s["score"] for s in ended["scores"]] == [points, 0]
    assert ended["you"] == {"rank": 2, "score": 0, "correct": 0}
    for client in (ann, bob):
        _assert_no_answer_leaked(client.frames)
        seqs = [frame["seq"] for frame in client.frames if "seq" in frame]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    # the results reach the quiz's leaderboard (through SNS and the writer)
    top: list = []
    for _ in range(100):
        top = http_get(local_cloud, players[0], f"/quizzes/{quiz_id}/leaderboard")["top"]
        if any(line["player_id"] == players[0].player_id for line in top):
            break
        await asyncio.sleep(0.1)
    mine = [line for line in top if line["player_id"] == players[0].player_id]
    assert mine and mine[0]["score"] == points
    for client in (h, ann, bob):
        await client.close()


@run_async
async def test_an_answer_after_the_deadline_is_refused_with_no_points(
        local_cloud: Endpoints, host: Account, quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    ann = await join(local_cloud, players[0], code)
    await h.call("start_game", "game_started", game_id=game_id)
    for question_id in ("q1", "q2", "q3"):  # q3 has a 5 s limit
        await h.send("next_question", game_id=game_id)
        asked = await ann.expect("question")
        if question_id != "q3":
            await h.call("close_question", "question_closed", game_id=game_id)
    assert asked["question"]["question_id"] == "q3" and asked["time_limit_seconds"] == 5
    wait = asked["deadline_ms"] / 1000 - time.time() + 0.5
    await asyncio.sleep(max(wait, 0))
    await ann.send("answer", game_id=game_id, question_id="q3", answer="Tokyo",
                   answered_at=0)
    assert (await ann.error())["code"] == "validation_failed"
    await ann.send("answer", game_id=game_id, question_id="q3", answer="Tokyo")
    assert (await ann.error())["code"] == "deadline_passed"
    await h.send("reveal", game_id=game_id)
    reveal = (await ann.expect("reveal"))["questions"][0]
    assert reveal["answers"] == [] and reveal["answered"] == 0 and reveal["yours"] is None
    await h.send("end_game", game_id=game_id)
    assert (await ann.expect("game_ended"))["scores"][0]["score"] == 0


@run_async
async def test_answers_to_questions_not_open_are_refused(
        local_cloud: Endpoints, host: Account, quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    ann = await join(local_cloud, players[0], code)

    async def refused(question_id: str) -> str:
        await ann.send("answer", game_id=game_id, question_id=question_id, answer="Rome")
        return str((await ann.error())["code"])

    assert await refused("q1") == "question_not_open"  # lobby: nothing asked yet
    await h.call("start_game", "game_started", game_id=game_id)
    await h.send("next_question", game_id=game_id)
    await ann.expect("question")
    assert await refused("q2") == "question_not_open"  # a future question
    assert await refused("q9") == "question_not_open"  # no such question
    await h.call("close_question", "question_closed", game_id=game_id)
    assert await refused("q1") == "question_not_open"  # closed
    await h.send("end_game", game_id=game_id)
    await ann.expect("game_ended")
    assert await refused("q1") == "question_not_open"  # finished game
    assert all(s["score"] == 0 for s in (await h.expect("game_ended"))["scores"])


@run_async
async def test_non_hosts_cannot_send_host_actions_and_nothing_changes(
        local_cloud: Endpoints, host: Account, quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    ann = await join(local_cloud, players[0], code)
    outsider = await Client.open(local_cloud, players[1])
    for client in (ann, outsider):
        for action in HOST_ACTIONS:
            await client.send(action, game_id=game_id, request_id=action)
            error = await client.expect("error")
            assert error["error"]["code"] == "not_host" and error["request_id"] == action
    # still in the lobby, with no broadcast: the host's first start works
    await h.send("resume", game_id=game_id, last_seq=0)
    assert (await h.expect("resumed"))["state"]["status"] == "lobby"
    await h.send("start_game", game_id=game_id)
    assert (await ann.next())["type"] == "game_started"
    await h.send("end_game", game_id=game_id)


@run_async
async def test_a_player_cannot_act_on_a_game_they_did_not_join(
        local_cloud: Endpoints, host: Account, quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    ann = await join(local_cloud, players[0], code)
    await h.call("start_game", "game_started", game_id=game_id)
    await h.send("next_question", game_id=game_id)
    await ann.expect("question")
    stranger = await Client.open(local_cloud, players[1])
    for action, fields in (("answer", {"question_id": "q1", "answer": "Rome"}),
                           ("leave_game", {}), ("resume", {"last_seq": 0})):
        await stranger.send(action, game_id=game_id, **fields)
        assert (await stranger.error())["code"] == "not_in_game"
    await h.call("close_question", "question_closed", game_id=game_id)
    await h.send("reveal", game_id=game_id)
    reveal = await ann.expect("reveal")
    assert reveal["questions"][0]["answers"] == []
    await h.send("end_game", game_id=game_id)
    ended = await ann.expect("game_ended")
    assert [s["player_id"] for s in ended["scores"]] == [players[0].player_id]
    assert ended["players"] == 1


@run_async
async def test_a_dropped_player_resumes_with_the_same_seat_and_score(
        local_cloud: Endpoints, host: Account, quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    ann = await join(local_cloud, players[0], code)
    await h.call("start_game", "game_started", game_id=game_id)
    await h.send("next_question", game_id=game_id)
    await ann.expect("question")
    await ann.call("answer", "answer_accepted", game_id=game_id, question_id="q1",
                   answer="Roma")
    await h.call("close_question", "question_closed", game_id=game_id)
    await h.call("reveal", "reveal", game_id=game_id)  # q1's points reach the standings
    await h.send("next_question", game_id=game_id)
    last_seq = (await ann.expect("question"))["seq"]
    await ann.socket.close()  # dropped mid-question

    again = await Client.open(local_cloud, players[0])
    resumed = await again.call("resume", "resumed", game_id=game_id, last_seq=last_seq)
    state = resumed["state"]
    assert resumed["role"] == "player" and resumed["seq"] > last_seq
    assert state["status"] == "question_open" and state["answered"] is False
    assert state["question"]["question"]["question_id"] == "q2"
    assert 500 <= state["your_score"] <= 1000
    await again.call("answer", "answer_accepted", game_id=game_id, question_id="q2",
                     answer="Paris")
    await h.send("end_game", game_id=game_id)
    ended = await again.expect("game_ended")
    assert ended["scores"][0]["score"] > state["your_score"]
    _assert_no_answer_leaked(again.frames)


@run_async
async def test_a_late_joiner_enters_at_the_current_question_with_score_zero(
        local_cloud: Endpoints, host: Account, quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    ann = await join(local_cloud, players[0], code)
    await h.call("start_game", "game_started", game_id=game_id)
    await h.send("next_question", game_id=game_id)
    await ann.expect("question")
    late = await Client.open(local_cloud, players[1])
    joined = await late.call("join_game", "joined", join_code=code.lower())
    state = joined["state"]
    assert state["status"] == "question_open" and state["your_score"] == 0
    assert state["question"]["question"]["question_id"] == "q1"
    _assert_no_answer_leaked([joined])
    await late.call("answer", "answer_accepted", game_id=game_id, question_id="q1",
                    answer="Rome")
    await h.send("end_game", game_id=game_id)


@run_async
async def test_competitive_answers_are_revealed_per_round(local_cloud: Endpoints,
                                                          host: Account,
                                                          players: list[Account]) -> None:
    document = {**CASUAL_QUIZ, "name": "Rounds", "mode": "competitive", "questions": [
        {**question, "round": 1 if index < 2 else 2}
        for index, question in enumerate(CASUAL_QUIZ["questions"])]}
    h, game_id, code = await open_game(local_cloud, host,
                                       create_quiz(local_cloud, host, document))
    ann = await join(local_cloud, players[0], code)
    await h.call("start_game", "game_started", game_id=game_id)
    await h.send("next_question", game_id=game_id)
    assert (await ann.expect("question"))["question"]["round"] == 1
    await ann.call("answer", "answer_accepted", game_id=game_id, question_id="q1",
                   answer="Rome")
    await h.call("close_question", "question_closed", game_id=game_id)
    await h.send("reveal", game_id=game_id)
    assert (await h.error())["code"] == "invalid_state"  # round 1 is not finished
    await h.send("next_question", game_id=game_id)
    await ann.expect("question")
    await h.call("close_question", "question_closed", game_id=game_id)
    await h.send("reveal", game_id=game_id)
    reveal = await ann.expect("reveal")
    assert [q["question_id"] for q in reveal["questions"]] == ["q1", "q2"]
    _assert_no_answer_leaked(ann.frames)
    await h.send("end_game", game_id=game_id)


@run_async
async def test_a_flooding_connection_is_rate_limited_while_honest_players_play(
        local_cloud: Endpoints, host: Account, quiz_id: str, players: list[Account]) -> None:
    h, game_id, code = await open_game(local_cloud, host, quiz_id)
    honest = await join(local_cloud, players[0], code)
    flooder = await join(local_cloud, players[1], code)
    await h.call("start_game", "game_started", game_id=game_id)
    await h.send("next_question", game_id=game_id)
    await honest.expect("question")
    await flooder.expect("question")
    for _ in range(40):
        await flooder.send("answer", game_id=game_id, question_id="q1", answer="Milan")
    # The honest player's answer is served, not throttled, while the flood is refused.
    await honest.call("answer", "answer_accepted", game_id=game_id, question_id="q1",
                      answer="Rome")
    codes = []
    while len(codes) < 40:
        frame = await flooder.next()
        if frame["type"] in ("error", "answer_accepted"):
            codes.append(frame["error"]["code"] if frame["type"] == "error" else "accepted")
    # 10 actions per second: however slowly a loaded machine serves the 40 frames, a good share
    # of them is refused (without the limit none would be).
    assert codes.count("rate_limited") >= 10
    assert codes.count("accepted") >= 1 and set(codes) <= {"accepted", "rate_limited"}
    await h.call("close_question", "question_closed", game_id=game_id)
    await h.send("reveal", game_id=game_id)
    answers = (await honest.expect("reveal"))["questions"][0]["answers"]
    assert sorted(a["answer"] for a in answers) == ["Milan", "Rome"]
    await h.send("end_game", game_id=game_id)
