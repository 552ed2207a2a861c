"""Helpers of the hosted-game e2e tests: real accounts (POST /accounts, Cognito InitiateAuth),
quizzes over the HTTP API, and a WebSocket client that keeps every frame it receives."""

from __future__ import annotations

import asyncio
import functools
import json
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import boto3
import jwt
import requests
from websockets.asyncio.client import ClientConnection, connect

from clients.sdk.endpoints import Endpoints
from tests.fixtures.moto_key import moto_signing_key

TIMEOUT_SECONDS = 15
COGNITO_TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"
COGNITO_CONTENT_TYPE = "application/x-amz-json-1.1"

CASUAL_QUIZ: dict[str, Any] = {
    "name": "Hosted capitals",
    "category": "hosted-e2e",
    "mode": "casual",
    "time_limit_seconds": 20,
    "questions": [
        {"type": "open", "text": "What is the capital of Italy?", "answer": "Rome",
         "alternatives": ["Roma"], "follow_up": "Capital since 1871."},
        {"type": "multiple_choice", "text": "What is the capital of France?",
         "options": ["Paris", "Lyon", "Nice"], "answer": "Paris"},
        {"type": "open", "text": "What is the capital of Japan?", "answer": "Tokyo",
         "time_limit_seconds": 5},
    ],
}
# Strings derived from the answers: none may reach a player before the reveal.
SECRETS = ("Rome", "Roma", "1871", "Tokyo", "correct", "alternatives", "follow_up")


_OPEN: list[ClientConnection] = []


def run_async(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """A plain test running the coroutine in a fresh loop; its sockets are closed after it."""

    async def closing(*args: Any, **kwargs: Any) -> None:
        try:
            await asyncio.wait_for(test(*args, **kwargs), timeout=90)
        finally:
            await asyncio.gather(*(socket.close() for socket in _OPEN), return_exceptions=True)
            _OPEN.clear()

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(closing(*args, **kwargs))

    return run


@dataclass(frozen=True)
class Account:
    username: str
    token: str

    @property
    def player_id(self) -> str:
        return str(jwt.decode(self.token, options={"verify_signature": False})["sub"])

    @property
    def expires_at(self) -> int:
        return int(jwt.decode(self.token, options={"verify_signature": False})["exp"])


def register(endpoints: Endpoints, prefix: str = "ws") -> Account:
    username = f"{prefix}-{uuid.uuid4().hex[:12]}"
    password = f"Ws-{uuid.uuid4().hex[:12]}-Aa1!"
    response = requests.post(
        f"{endpoints.http_api_url.rstrip('/')}/accounts",
        json={"username": username, "email": f"{username}@example.com", "password": password},
        timeout=TIMEOUT_SECONDS,
    )
    assert response.status_code == 201, response.text
    login = requests.post(
        endpoints.cognito_url,
        data=json.dumps({
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": endpoints.user_pool_client_id,
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        }),
        headers={"X-Amz-Target": COGNITO_TARGET, "Content-Type": COGNITO_CONTENT_TYPE},
        timeout=TIMEOUT_SECONDS,
    )
    assert login.status_code == 200, login.text
    return Account(username, login.json()["AuthenticationResult"]["AccessToken"])


def create_quiz(endpoints: Endpoints, account: Account,
                document: dict[str, Any] | None = None) -> str:
    response = requests.post(
        f"{endpoints.http_api_url.rstrip('/')}/quizzes", json=document or CASUAL_QUIZ,
        headers={"Authorization": f"Bearer {account.token}"}, timeout=TIMEOUT_SECONDS,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["quiz_id"])


def http_get(endpoints: Endpoints, account: Account, path: str) -> dict[str, Any]:
    response = requests.get(
        f"{endpoints.http_api_url.rstrip('/')}{path}",
        headers={"Authorization": f"Bearer {account.token}"}, timeout=TIMEOUT_SECONDS,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


# The local cloud's Cognito is moto, which signs every token with this published test key: the
# one way to hold a token that expires within a test (moto issues one-hour tokens only).
MOTO_KEY = moto_signing_key()


def resigned(account: Account, expires_in: float) -> Account:
    """The account's real token with only its expiry moved (``exp`` = now + ``expires_in``)."""
    claims = jwt.decode(account.token, options={"verify_signature": False})
    claims["exp"] = int(time.time() + expires_in)
    token = jwt.encode(claims, MOTO_KEY, algorithm="RS256", headers={"kid": "dummy"})
    return Account(account.username, token)


def connection_records(endpoints: Endpoints, player_id: str) -> list[dict[str, Any]]:
    """This player's records in the connections table (moto, read directly)."""
    dynamodb = boto3.client(
        "dynamodb", region_name=endpoints.region, endpoint_url=endpoints.aws_endpoint_url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    items = dynamodb.scan(
        TableName="trivia-ConnectionsTable", FilterExpression="player_id = :p",
        ExpressionAttributeValues={":p": {"S": player_id}}, ConsistentRead=True,
    )["Items"]
    return list(items)


def ws_url(endpoints: Endpoints, token: str | None) -> str:
    assert endpoints.websocket_url, "the local cloud publishes no websocket_url"
    return endpoints.websocket_url + (f"?token={token}" if token is not None else "")


@dataclass
class Client:
    """One WebSocket connection; every frame it receives is kept in ``frames``."""

    socket: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)
    _read: int = 0

    @classmethod
    async def open(cls, endpoints: Endpoints, account: Account) -> Client:
        socket = await connect(ws_url(endpoints, account.token), compression=None,
                               max_size=None, ping_interval=None)
        _OPEN.append(socket)
        return cls(socket)

    async def send(self, action: str, **fields: Any) -> None:
        await self.socket.send(json.dumps({"action": action, **fields}))

    async def next(self, timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
        """The next frame not yet returned."""
        while self._read >= len(self.frames):
            raw = await asyncio.wait_for(self.socket.recv(), timeout)
            self.frames.append(json.loads(raw))
        frame = self.frames[self._read]
        self._read += 1
        return frame

    async def expect(self, kind: str, timeout: float = TIMEOUT_SECONDS,
                     **matching: Any) -> dict[str, Any]:
        """Skip frames until one of ``kind`` (matching ``matching``) arrives."""
        while True:
            frame = await self.next(timeout)
            if frame.get("type") == kind and all(frame.get(k) == v for k, v in matching.items()):
                return frame

    async def error(self, timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
        return (await self.expect("error", timeout))["error"]

    async def call(self, action: str, kind: str, **fields: Any) -> dict[str, Any]:
        await self.send(action, **fields)
        return await self.expect(kind)

    async def close(self) -> None:
        await self.socket.close()


async def open_game(endpoints: Endpoints, host: Account, quiz_id: str
                    ) -> tuple[Client, str, str]:
    client = await Client.open(endpoints, host)
    opened = await client.call("open_game", "game_opened", quiz_id=quiz_id)
    return client, opened["game_id"], opened["join_code"]


async def join(endpoints: Endpoints, player: Account, join_code: str) -> Client:
    client = await Client.open(endpoints, player)
    await client.call("join_game", "joined", join_code=join_code)
    return client
