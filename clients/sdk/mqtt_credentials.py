"""How one player connects to the live-game broker: the answer of ``POST /live/credentials``.

Locally the route answers with the player's username (= client id = player id) and a token as
the password, which the local broker's authorizer plugin checks; the client connects over plain TCP
to the broker named in the answer (``broker: "mosquitto"``), or in the endpoints file. On AWS
(``broker: "aws-iot"``) it answers with the IoT endpoint, the custom authorizer's name and how
to present the Cognito access token (``password_from: "access_token"``: the token is the
password); the client then connects with TLS through awsiotsdk's builder. Secrets never appear
in ``repr``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import TriviaError


class InvalidCredentials(TriviaError):
    """The credentials answer lacks what a connection needs."""

    code = "invalid_credentials"


@dataclass(frozen=True)
class BrokerLogin:
    """Username and password on a plain TCP listener (the local Mosquitto)."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class AuthorizerLogin:
    """AWS IoT Core through a custom authorizer that verifies the Cognito access token, which
    the client presents as its password."""

    endpoint: str
    authorizer_name: str
    token: str = field(repr=False)
    port: int | None = None


@dataclass(frozen=True)
class MqttCredentials:
    client_id: str  # the player id: the broker's policy pins every topic to it
    login: BrokerLogin | AuthorizerLogin

    @classmethod
    def from_api(
        cls, answer: Mapping[str, Any], endpoints: Endpoints, *, access_token: str | None = None
    ) -> MqttCredentials:
        client_id = _text(answer, "client_id") or _text(answer, "username")
        if not client_id:
            raise InvalidCredentials("the credentials answer names no client id")
        if answer.get("password_from") == "access_token" or answer.get("broker") == "aws-iot":
            return cls(client_id, _authorizer_login(answer, access_token))
        if _text(answer, "password"):
            return cls(client_id, _broker_login(answer, endpoints, client_id))
        raise InvalidCredentials("the credentials answer has neither a password nor an authorizer")


def _broker_login(answer: Mapping[str, Any], endpoints: Endpoints, client_id: str) -> BrokerLogin:
    # The endpoints file names the broker too (``mqtt_host``, ``mqtt_port``: ``trivia up``).
    fallback = {"host": getattr(endpoints, "mqtt_host", None)}
    host = _text(answer, "host") or _text(fallback, "host")
    port = answer.get("port") or getattr(endpoints, "mqtt_port", None)
    if not host or not isinstance(port, int):
        raise InvalidCredentials("no broker host and port: restart `trivia up`")
    username = _text(answer, "username") or client_id
    return BrokerLogin(host, port, username, str(answer["password"]))


def _authorizer_login(answer: Mapping[str, Any], access_token: str | None) -> AuthorizerLogin:
    endpoint = _text(answer, "host") or _text(answer, "endpoint")
    authorizer = _text(answer, "authorizer_name")
    if not endpoint or not authorizer:
        raise InvalidCredentials("the credentials answer names no IoT endpoint or authorizer")
    if not access_token:
        raise InvalidCredentials("an authorizer login needs the player's access token")
    port = answer.get("port")
    return AuthorizerLogin(
        endpoint, authorizer, access_token, port if isinstance(port, int) else None
    )


def _text(source: Mapping[str, Any], key: str) -> str | None:
    value = source.get(key)
    return value if isinstance(value, str) and value else None
