"""Without a network: the IoT custom authorizer's decisions, the local cloud starting without
Mosquitto (it says how to install it), and the broker's generated security file."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from infra.local import iot_local, mosquitto
from infra.local.resources import LOCAL_VARIABLES, functions_environment
from infra.wiring import load_template
from services.core.auth import InvalidToken
from services.live import handlers

pytestmark = pytest.mark.unit

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:trivia-LiveAuthorizerFunction"


class Verifier:
    def verify(self, token: str, *, token_use: str = "access") -> dict[str, Any]:
        if token != "good":
            raise InvalidToken("bad")
        return {"sub": "p-1", "exp": time.time() + 1800}


def connect_event(client_id: str, password: str) -> dict[str, Any]:
    return {"protocolData": {"mqtt": {
        "username": "p-1?x-amz-customauthorizer-name=trivia-live", "clientId": client_id,
        "password": base64.b64encode(password.encode()).decode()}}}


@pytest.fixture(autouse=True)
def verifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers, "token_verifier", lambda: Verifier())


def test_a_valid_token_with_its_own_client_id_gets_the_players_policy() -> None:
    response = handlers.authorize(connect_event("p-1", "good"), SimpleNamespace(
        invoked_function_arn=ARN))
    assert response["isAuthenticated"] is True
    assert 1700 <= response["disconnectAfterInSeconds"] <= 1800  # when the token expires
    document = json.loads(response["policyDocuments"][0])
    connect = next(s for s in document["Statement"] if s["Action"] == "iot:Connect")
    assert connect["Resource"] == "arn:aws:iot:eu-west-1:123456789012:client/p-1"


@pytest.mark.parametrize(("client_id", "password"), [
    ("p-2", "good"), ("+", "good"), ("p-1", "forged"), ("p-1", ""),
])
def test_another_client_id_or_a_bad_token_is_not_authenticated(client_id: str,
                                                               password: str) -> None:
    response = handlers.authorize(connect_event(client_id, password), SimpleNamespace(
        invoked_function_arn=ARN))
    assert response == {"isAuthenticated": False}


def test_without_mosquitto_the_cloud_says_how_to_install_it_and_runs_without_live_games(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path,
) -> None:
    monkeypatch.setattr(mosquitto.shutil, "which", lambda _name: None)
    monkeypatch.setattr(mosquitto.os, "access", lambda *_args: False)
    assert not mosquitto.available()
    with caplog.at_level(logging.WARNING):
        started = asyncio.run(iot_local.start_iot(load_template(), None, None,  # type: ignore
                                                  tmp_path))
    assert started is None
    assert "apt-get install mosquitto" in caplog.text


def test_the_broker_security_file_denies_by_default_and_hashes_passwords() -> None:
    document = mosquitto.dynsec_document("admin-secret", "service-secret")
    assert document["defaultACLAccess"] == {"publishClientSend": False,
                                            "publishClientReceive": False,
                                            "subscribe": False, "unsubscribe": True}
    text = json.dumps(document)
    assert "admin-secret" not in text and "service-secret" not in text
    roles = {role["rolename"]: role for role in document["roles"]}  # type: ignore[index]
    assert {acl["topic"] for acl in roles["service"]["acls"]} == {"trivia/live/#"}


def test_the_live_functions_get_their_local_environment() -> None:
    wiring = load_template()
    assert iot_local.live_functions(wiring) == {
        "LiveHostCommandsFunction", "LivePlayerActionsFunction", "LiveCredentialsFunction"}
    resources = SimpleNamespace(resolve=lambda value: _resolve(value))
    environment = functions_environment(  # type: ignore[arg-type]
        wiring, resources, set_locally=LOCAL_VARIABLES | iot_local.IOT_VARIABLES)
    assert environment["GAMES_TABLE"] == "trivia-GamesTable"
    assert "IOT_DATA_ENDPOINT" not in environment and "MQTT_CREDENTIALS" not in environment


def _resolve(value: Any) -> str:
    if isinstance(value, dict) and value.get("Ref") == "GamesTable":
        return "trivia-GamesTable"
    if isinstance(value, str):
        return value
    raise KeyError(str(value))
