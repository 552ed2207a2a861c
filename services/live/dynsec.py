"""Mosquitto's dynamic-security plugin, driven over its control topic (locally only).

``DynsecAdmin`` sends command batches to ``$CONTROL/dynamic-security/v1`` and waits for the
matching reply (by ``correlationData``). ``DynsecCredentials`` is the local adapter of
``POST /live/credentials``: it gives the player a role with the ACLs of their own topics
(``PlayerPolicy``), the role every player shares (``PLAYERS_ROLE``: the game broadcasts) and a
client (username and client id = player id) with a fresh random password. Issuing again sets a
new password; the roles and the pinned client id stay.

What an issue costs is the broker's: Mosquitto 2.0's plugin rewrites its whole JSON file after
every command that changes something, one command at a time even within one message, so each
change costs O(players issued so far). An issue therefore sends as few changing commands as it
can: two for a new player (the role, then the client with its password), one for a known one
(the password). Coalescing players into one control message would not save a rewrite, and one
player per message lets the broker serve connects in between. Its ACL topics take no ``%u`` /
``%c`` substitution (2.0.11, checked against the broker), so one shared role cannot serve every
player's own topics: those stay in a role per player, and only what all players share is in one.
"""

from __future__ import annotations

import json
import secrets
import threading
from concurrent.futures import Future
from typing import Any

from services.core.errors import ServiceUnavailable
from services.live.mqtt_client import BrokerAddress, MqttConnection
from services.live.ports import MqttCredentials
from services.live.topics import PLAYERS_ACLS, PLAYERS_ROLE, PlayerPolicy

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC = CONTROL_TOPIC + "/response"


class DynsecError(ServiceUnavailable):
    """The broker refused an admin command: credentials cannot be issued now (503)."""


class DynsecAdmin:
    def __init__(self, address: BrokerAddress, *, username: str, password: str,
                 timeout: float = 5.0) -> None:
        self._timeout = timeout
        self._pending: dict[str, Future[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._connection = MqttConnection(
            address, client_id=f"dynsec-admin-{secrets.token_hex(4)}", username=username,
            password=password, on_message=self._reply).connect(timeout)
        if not all(self._connection.subscribe(RESPONSE_TOPIC)):
            raise DynsecError("the broker refused the admin its control replies")

    def execute(self, *commands: dict[str, Any]) -> list[dict[str, Any]]:
        """Run ``commands`` in order; one reply per command (``error`` set when it failed)."""
        futures = []
        batch = []
        for command in commands:
            correlation = secrets.token_hex(8)
            future: Future[dict[str, Any]] = Future()
            with self._lock:
                self._pending[correlation] = future
            futures.append(future)
            batch.append({**command, "correlationData": correlation})
        try:
            if not self._connection.publish(CONTROL_TOPIC, json.dumps({"commands": batch}).encode(),
                                            timeout=self._timeout):
                raise ServiceUnavailable("the broker refused a control message")
            return [future.result(self._timeout) for future in futures]
        except TimeoutError:
            raise ServiceUnavailable("the broker did not answer; try again") from None
        finally:
            with self._lock:
                for command in batch:
                    self._pending.pop(command["correlationData"], None)

    def close(self) -> None:
        self._connection.close()

    def _reply(self, topic: str, payload: bytes, _retain: bool) -> None:
        try:
            responses = json.loads(payload).get("responses", [])
        except (ValueError, AttributeError):
            return
        for response in responses:
            with self._lock:
                future = self._pending.get(str(response.get("correlationData")))
            if future is not None and not future.done():
                future.set_result(response)


class DynsecCredentials:
    def __init__(self, admin: DynsecAdmin, *, host: str, port: int, ws_url: str | None) -> None:
        self._admin = admin
        self._host, self._port, self._ws_url = host, port, ws_url
        # players this process created or re-keyed: a broker restarted since then (an empty
        # file) refuses the new password, and the issue falls back to creating the player
        self._known: set[str] = set()
        self._shared_role_seen = False

    def issue(self, player_id: str) -> MqttCredentials:
        policy = PlayerPolicy(player_id)
        password = secrets.token_urlsafe(24)
        if player_id not in self._known or self._set_password(player_id, password):
            self._create(policy, password)
        self._known.add(player_id)
        body: dict[str, Any] = {
            "broker": "mosquitto", "host": self._host, "port": self._port,
            "client_id": policy.client_id, "username": player_id, "password": password,
            "tls": False, "topics": _topics(policy),
        }
        if self._ws_url:
            body["ws_url"] = self._ws_url
        return MqttCredentials(body)

    def _create(self, policy: PlayerPolicy, password: str) -> None:
        """The player's role, then their client with the password, in one message. Either may
        exist from an earlier issue (by another process, or before this one started): then
        only the password changes, so the player's role and pinned client id stay."""
        commands = [
            {"command": "createRole", "rolename": policy.role_name, "acls": policy.dynsec_acls()},
            {"command": "createClient", "username": policy.player_id,
             "clientid": policy.client_id, "password": password, "roles": policy.dynsec_roles},
        ]
        if not self._shared_role_seen:  # refused without a change once it exists
            commands.insert(0, {"command": "createRole", "rolename": PLAYERS_ROLE,
                                "acls": PLAYERS_ACLS})
        client = self._admin.execute(*commands)[-1]
        self._shared_role_seen |= not client.get("error")  # a client holds it: it exists
        if client.get("error") and (error := self._set_password(policy.player_id, password)):
            raise DynsecError(f"the broker refused the credentials: {client['error']}; "
                              f"{error}"[:300])

    def _set_password(self, player_id: str, password: str) -> str | None:
        """None when the broker took the new password, else its error."""
        (reply,) = self._admin.execute(
            {"command": "setClientPassword", "username": player_id, "password": password})
        return str(reply["error"]) if reply.get("error") else None


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
