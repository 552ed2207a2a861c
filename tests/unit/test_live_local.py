"""Without a network: the IoT custom authorizer's decisions, the local cloud starting without
Mosquitto (it says how to install it), and the local broker's configuration."""

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
    assert f"apt-get install {mosquitto.BUILD_PACKAGES}" in caplog.text


def test_the_broker_config_names_the_plugin_its_key_file_and_the_player_rules(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setattr(mosquitto, "auth_plugin", lambda: Path("/plugins/trivia_auth.so"))
    lines = mosquitto._config(tmp_path, 1883, 8083).splitlines()
    assert "allow_anonymous false" in lines and "retain_available false" in lines
    assert "plugin /plugins/trivia_auth.so" in lines
    assert f"plugin_opt_key_file {tmp_path / mosquitto.KEY_FILE}" in lines
    assert ("plugin_opt_publish trivia/live/hosts/%u/commands trivia/live/players/%u/actions"
            in lines)
    assert ("plugin_opt_subscribe trivia/live/players/%u/inbox trivia/live/games/+/events"
            in lines)
    assert "plugin_opt_superusers service" in lines


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
