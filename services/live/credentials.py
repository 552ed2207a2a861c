"""``POST /live/credentials``: how a player logs in to the broker, on AWS and locally.

On AWS (``IotCoreCredentials``) the player presents their Cognito access token to IoT Core's
custom authorizer, which verifies it and returns the player's policy: nothing is issued here.

Locally (``TokenCredentials``) the broker's authorizer plugin (``infra/local/trivia_auth.c``)
plays that part: the password is a token, ``v1.<expiry>.<mac>``, the MAC an HMAC-SHA256 of
``v1.<player id>.<expiry>`` under a key the local cloud gives the plugin and this adapter. The
plugin checks it at CONNECT and applies the player policy to the username (pinned to the client
id), so issuing costs the broker nothing and nothing per player is stored in it (decision
0010). A token lasts ``TOKEN_SECONDS``; asking again gives a fresh one.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

from services.live.ports import MqttCredentials
from services.live.topics import PlayerPolicy

TOKEN_VERSION = "v1"
TOKEN_SECONDS = 12 * 3600


def broker_token(key: bytes, username: str, expires_at: int) -> str:
    """The password the local broker's plugin accepts for ``username`` until ``expires_at``
    (epoch seconds)."""
    signed = f"{TOKEN_VERSION}.{username}.{expires_at}".encode()
    mac = hmac.new(key, signed, hashlib.sha256).hexdigest()
    return f"{TOKEN_VERSION}.{expires_at}.{mac}"


class TokenCredentials:
    def __init__(self, key: bytes, *, host: str, port: int, ws_url: str | None,
                 clock: Callable[[], float] = time.time,
                 token_seconds: int = TOKEN_SECONDS) -> None:
        self._key = key
        self._host, self._port, self._ws_url = host, port, ws_url
        self._clock = clock
        self._token_seconds = token_seconds

    def issue(self, player_id: str) -> MqttCredentials:
        policy = PlayerPolicy(player_id)
        expires_at = int(self._clock()) + self._token_seconds
        body: dict[str, Any] = {
            "broker": "mosquitto", "host": self._host, "port": self._port,
            "client_id": policy.client_id, "username": player_id,
            "password": broker_token(self._key, player_id, expires_at),
            "tls": False, "topics": _topics(policy),
        }
        if self._ws_url:
            body["ws_url"] = self._ws_url
        return MqttCredentials(body)


class IotCoreCredentials:
    """On AWS: where to connect and how to present the Cognito access token to the custom
    authorizer (username carries the authorizer name; the password is the token itself)."""

    def __init__(self, *, endpoint: str, authorizer_name: str) -> None:
        self._endpoint = endpoint
        self._authorizer = authorizer_name

    def issue(self, player_id: str) -> MqttCredentials:
        policy = PlayerPolicy(player_id)
        return MqttCredentials({
            "broker": "aws-iot", "host": self._endpoint, "port": 443, "alpn": "mqtt",
            "tls": True, "client_id": policy.client_id,
            "username": f"{player_id}?x-amz-customauthorizer-name={self._authorizer}",
            "password": None, "password_from": "access_token",
            "authorizer_name": self._authorizer,
            "ws_url": f"wss://{self._endpoint}/mqtt", "topics": _topics(policy),
        })


def _topics(policy: PlayerPolicy) -> dict[str, Any]:
    return {"publish": list(policy.publish), "subscribe": list(policy.subscribe)}
