"""Live games against the whole local cloud (`trivia up`): real accounts, real MQTT credentials
from `POST /live/credentials`, the broker's authorizer plugin, the topic rules, the handlers,
Redis and DynamoDB. QUALITY.md's MQTT cases with those credentials, and games played over MQTT:
one winner per question under concurrent answers, the same in the persisted record, answers
never broadcast before the winner, duplicates acted on once."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3
import jwt
import pytest
import requests

from clients.sdk.endpoints import Endpoints
from services.live import topics
from services.live.mqtt_client import BrokerAddress, MqttConnection, MqttRefused

pytestmark = pytest.mark.e2e

TIMEOUT = 15
LIVE_QUIZ = {
    "name": "Live capitals", "category": "live-e2e", "mode": "live", "time_limit_seconds": 30,
    "questions": [
        {"type": "open", "text": "Capital of Italy?", "answer": "Rome", "alternatives": ["Roma"],
         "follow_up": "Capital since 1871."},
        {"type": "multiple_choice", "text": "Capital of France?",
         "options": ["Paris", "Lyon", "Nice"], "answer": "Paris"},
        {"type": "open", "text": "Capital of Japan?", "answer": "Tokyo"},
    ],
}
ANSWERS = ["Rome", "Paris", "Tokyo"]
SECRETS = ("rome", "roma", "1871", "tokyo", "paris\"}")  # "Paris" is an option: shown


@dataclass(frozen=True)
class Account:
    username: str
    token: str

    @property
    def player_id(self) -> str:
        return str(jwt.decode(self.token, options={"verify_signature": False})["sub"])


def register(endpoints: Endpoints) -> Account:
    username = f"live-{uuid.uuid4().hex[:12]}"
    password = f"Lv-{uuid.uuid4().hex[:12]}-Aa1!"
    response = requests.post(f"{endpoints.http_api_url}/accounts", timeout=TIMEOUT, json={
        "username": username, "email": f"{username}@example.com", "password": password})
    assert response.status_code == 201, response.text
    login = requests.post(endpoints.cognito_url, timeout=TIMEOUT, data=json.dumps({
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": endpoints.user_pool_client_id,
        "AuthParameters": {"USERNAME": username, "PASSWORD": password}}), headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        "Content-Type": "application/x-amz-json-1.1"})
    assert login.status_code == 200, login.text
    return Account(username, login.json()["AuthenticationResult"]["AccessToken"])


def credentials(endpoints: Endpoints, account: Account) -> dict[str, Any]:
    response = requests.post(f"{endpoints.http_api_url}/live/credentials", timeout=TIMEOUT,
                             headers={"Authorization": f"Bearer {account.token}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


def create_quiz(endpoints: Endpoints, account: Account) -> str:
    response = requests.post(f"{endpoints.http_api_url}/quizzes", json=LIVE_QUIZ,
                             timeout=TIMEOUT,
                             headers={"Authorization": f"Bearer {account.token}"})
    assert response.status_code == 201, response.text
    return str(response.json()["quiz_id"])


@dataclass
class Peer:
    """A connected player that keeps every message it receives."""

    account: Account
    connection: MqttConnection
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def me(self) -> str:
        return self.account.player_id

    def send(self, topic: str, message: dict[str, Any]) -> None:
        assert self.connection.publish(topic, json.dumps(message).encode())

    def act(self, **message: Any) -> None:
        self.send(topics.player_actions(self.me), message)

    def command(self, **message: Any) -> None:
        self.send(topics.host_commands(self.me), message)

    def wait(self, kind: str, count: int = 1, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(kind)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{self.account.username}: {count} x {kind} not received; "
                             f"got {[m['type'] for _, m in self.received]}")

    def first(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The first message of ``kind`` whose ``fields`` match, waiting for it."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for message in self.of(kind):
                if all(message.get(k) == v for k, v in fields.items()):
                    return message
            time.sleep(0.01)
        raise AssertionError(f"{self.account.username}: no {kind} with {fields}")

    def of(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for _, m in self.received if m.get("type") == kind]

    def close(self) -> None:
        self.connection.close()


def connect(endpoints: Endpoints, account: Account, *, websocket: bool = False) -> Peer:
    issued = credentials(endpoints, account)
    assert issued["client_id"] == issued["username"] == account.player_id
    address = BrokerAddress(issued["host"], issued["port"])
    if websocket:
        port = int(issued["ws_url"].rsplit(":", 1)[1].split("/")[0])
        address = BrokerAddress(issued["host"], port, websocket=True)
    peer: Peer

    def on_message(topic: str, payload: bytes, _retain: bool) -> None:
        with peer.lock:
            peer.raw.append(payload)
            peer.received.append((topic, json.loads(payload)))

    connection = MqttConnection(address, client_id=issued["client_id"],
                                username=issued["username"], password=issued["password"],
                                on_message=on_message)
    peer = Peer(account, connection)
    connection.connect()
    assert connection.subscribe(topics.player_inbox(account.player_id),
                                topics.GAME_EVENTS_FILTER) == [True, True]
    return peer


@pytest.fixture
def peers(local_cloud: Endpoints) -> Iterator[list[Peer]]:
    opened: list[Peer] = []
    yield opened
    for peer in opened:
        peer.close()


def open_game(endpoints: Endpoints, host: Peer) -> str:
    quiz_id = create_quiz(endpoints, host.account)
    host.command(action="open_game", quiz_id=quiz_id, request_id="open-1")
    return str(host.wait("game_opened")[0]["game_id"])


# ------------------------------------------------------------------ MQTT access (QUALITY.md)


def test_another_identity_or_a_wildcard_client_id_is_refused(local_cloud: Endpoints) -> None:
    alice, bob = register(local_cloud), register(local_cloud)
    issued = credentials(local_cloud, alice)
    credentials(local_cloud, bob)
    address = BrokerAddress(issued["host"], issued["port"])
    for client_id in (bob.player_id, "+", "#", f"{alice.player_id}/#"):
        with pytest.raises(MqttRefused):
            MqttConnection(address, client_id=client_id, username=alice.player_id,
                           password=issued["password"]).connect(3)
    with pytest.raises(MqttRefused):  # bob's name with alice's password
        MqttConnection(address, client_id=bob.player_id, username=bob.player_id,
                       password=issued["password"]).connect(3)
    response = requests.post(f"{local_cloud.http_api_url}/live/credentials", timeout=TIMEOUT)
    assert response.status_code == 401


def test_foreign_inboxes_everything_and_foreign_publishes_are_refused(
    local_cloud: Endpoints, peers: list[Peer],
) -> None:
    host = connect(local_cloud, register(local_cloud))
    bob = connect(local_cloud, register(local_cloud), websocket=True)
    mallory = connect(local_cloud, register(local_cloud))
    peers += [host, bob, mallory]
    game_id = open_game(local_cloud, host)
    bob.act(action="join_game", game_id=game_id)
    bob.wait("joined")
    assert mallory.connection.subscribe(topics.player_inbox(bob.me), "#", "trivia/live/#",
                                        topics.host_commands(host.me)) == [False] * 4
    forged = {"action": "end_game", "game_id": game_id}
    for topic in (topics.host_commands(host.me), topics.game_events(game_id),
                  topics.player_inbox(bob.me), topics.player_actions(bob.me)):
        assert mallory.connection.publish(topic, json.dumps(forged).encode()) is False
    issued = credentials(local_cloud, mallory.account)  # mallory's session ends; a raw one:
    for topic in (topics.game_events(game_id), topics.host_commands(host.me)):
        assert raw_retained_publish(issued, topic, json.dumps(forged).encode())
    time.sleep(0.5)
    assert host.of("game_ended") == [] and bob.of("game_ended") == []
    assert not any(topic == topics.player_inbox(bob.me) for topic, _ in mallory.received)
    host.command(action="start_game", game_id=game_id)  # the game was not ended by anyone
    assert bob.wait("game_started")[0]["players"] == 1


def raw_retained_publish(issued: dict[str, Any], topic: str, payload: bytes) -> bool:
    """MQTT 3.1.1 by hand with RETAIN set; True when the broker drops the connection."""

    def text(value: str) -> bytes:
        return struct.pack("!H", len(value.encode())) + value.encode()

    def packet(kind: int, body: bytes) -> bytes:
        length, encoded = len(body), b""
        while True:
            byte, length = length % 128, length // 128
            encoded += bytes([byte | (0x80 if length else 0)])
            if not length:
                return bytes([kind]) + encoded + body

    body = text("MQTT") + bytes([4, 0xC2]) + struct.pack("!H", 30) + text(
        issued["client_id"]) + text(issued["username"]) + text(issued["password"])
    with socket.create_connection((issued["host"], issued["port"]), timeout=3) as sock:
        sock.sendall(packet(0x10, body))
        assert sock.recv(4)[3] == 0
        sock.sendall(packet(0x31, text(topic) + payload))
        sock.settimeout(2)
        try:
            return sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False


# ------------------------------------------------------------------ games


def test_a_game_over_mqtt_one_winner_per_question_persisted_and_nothing_leaked(
    local_cloud: Endpoints, peers: list[Peer],
) -> None:
    host = connect(local_cloud, register(local_cloud))
    players = [connect(local_cloud, register(local_cloud), websocket=n % 2 == 1)
               for n in range(8)]
    peers += [host, *players]
    game_id = open_game(local_cloud, host)
    for player in players:
        player.act(action="join_game", game_id=game_id, request_id="j")
        player.act(action="join_game", game_id=game_id, request_id="j")  # a redelivery
    host.wait("player_joined", len(players))
    for player in players:
        player.wait("joined", 2)
    time.sleep(0.3)
    assert len(host.of("player_joined")) == len(players)  # the repeat joined nobody twice
    host.command(action="start_game", game_id=game_id)
    winners: dict[str, str] = {}
    with ThreadPoolExecutor(len(players)) as pool:
        for index, answer in enumerate(ANSWERS):
            host.command(action="next_question", game_id=game_id, request_id=f"n{index}")
            asked = [p.wait("question", index + 1)[-1] for p in players]
            qid = asked[0]["question"]["question_id"]
            assert qid == f"q{index + 1}"
            list(pool.map(lambda p, q=qid, a=answer: p.act(
                action="answer", game_id=game_id, question_id=q, answer=a), players))
            verdicts = [p.first("verdict", question_id=qid) for p in players]
            assert sorted(v["verdict"] for v in verdicts).count("correct") == 1
            won = next(p for p, v in zip(players, verdicts, strict=True)
                       if v["verdict"] == "correct")
            winners[qid] = won.me
            before = len(won.of("verdict"))
            won.act(action="answer", game_id=game_id, question_id=qid, answer=answer)  # again
            again = won.wait("verdict", before + 1)[-1]
            assert (again["question_id"], again["verdict"]) == (qid, "correct")
            assert host.first("winner", question_id=qid)["winner"]["player_id"] == won.me
    host.command(action="end_game", game_id=game_id)
    final = players[0].wait("game_ended")[0]["scores"]
    expected = {p.me: sum(1 for w in winners.values() if w == p.me) for p in players}
    # the players with points: everyone else ended with 0
    assert {line["player_id"]: line["score"] for line in final} == {
        player: score for player, score in expected.items() if score > 0}
    record = games_record(local_cloud, game_id)
    assert {k: v["S"] for k, v in record["winners"]["M"].items()} == winners
    assert record["status"]["S"] == "ended" and "listing" not in record
    for player in players:  # one seq, one message (a repeat re-sends it unchanged)
        by_seq: dict[int, dict[str, Any]] = {}
        for _, message in player.received:
            if "seq" in message:
                assert by_seq.setdefault(message["seq"], message) == message
        asked = [m["seq"] for m in player.of("question")]
        assert asked == sorted(asked) and len(set(asked)) == len(ANSWERS)
        for payload in player.raw:
            message = json.loads(payload)
            if message["type"] in ("question", "player_joined", "game_started", "joined"):
                assert not any(s in payload.decode().lower() for s in SECRETS), message


def test_late_and_foreign_answers_are_refused_on_the_inbox(
    local_cloud: Endpoints, peers: list[Peer],
) -> None:
    host = connect(local_cloud, register(local_cloud))
    early, late, stranger = (connect(local_cloud, register(local_cloud)) for _ in range(3))
    peers += [host, early, late, stranger]
    game_id = open_game(local_cloud, host)
    early.act(action="join_game", game_id=game_id)
    early.wait("joined")
    host.command(action="start_game", game_id=game_id)
    host.command(action="next_question", game_id=game_id, request_id="n1")
    early.wait("question")
    early.act(action="answer", game_id=game_id, question_id="q2", answer="Paris")
    stranger.act(action="answer", game_id=game_id, question_id="q1", answer="Rome")
    early.act(action="answer", game_id=game_id, question_id="q1", answer="Rome",
              score=100)
    codes = [m["error"]["code"] for m in early.wait("error", 2)]
    assert sorted(codes) == ["question_not_open", "validation_failed"]  # either order
    assert stranger.wait("error")[0]["error"]["code"] == "not_in_game"
    early.act(action="answer", game_id=game_id, question_id="q1", answer="Rome")
    assert early.wait("verdict")[0]["verdict"] == "correct"
    late.act(action="join_game", game_id=game_id)
    joined = late.wait("joined")[0]
    # the late joiner is in with 0: the scores list the players with points
    assert {line["player_id"]: line["score"] for line in joined["scores"]} == {early.me: 1}
    early.send(topics.host_commands(early.me), {"action": "end_game", "game_id": game_id})
    assert early.wait("error", 3)[-1]["error"]["code"] == "not_host"


def games_record(endpoints: Endpoints, game_id: str) -> dict[str, Any]:
    dynamodb = boto3.client("dynamodb", region_name=endpoints.region,
                            endpoint_url=endpoints.aws_endpoint_url,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    table = next(name for name in dynamodb.list_tables()["TableNames"]
                 if name.endswith("GamesTable"))
    return dict(dynamodb.get_item(TableName=table, Key={"pk": {"S": f"live#{game_id}"}},
                                  ConsistentRead=True)["Item"])
