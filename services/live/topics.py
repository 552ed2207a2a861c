"""The live game's topic layout and a player's policy (docs/mqtt.md, "Topics" and "Policy").

One module says which topics exist and what a player may do with them; the same ``PlayerPolicy``
renders as the IoT policy document the custom authorizer returns on AWS and as the Mosquitto
dynamic-security role ACLs locally. Handlers take the sender from the topic segment the policy
pins to the connected player (``sender_of``), never from a payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ROOT = "trivia/live"
HOST_COMMANDS_FILTER = f"{ROOT}/hosts/+/commands"
PLAYER_ACTIONS_FILTER = f"{ROOT}/players/+/actions"
GAME_EVENTS_FILTER = f"{ROOT}/games/+/events"
SHARED_SUBSCRIBE = (GAME_EVENTS_FILTER,)  # every player alike
# One topic segment: MQTT wildcards, the level separator and NUL never appear in an identity.
_SEGMENT = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")


def host_commands(player_id: str) -> str:
    return f"{ROOT}/hosts/{_segment(player_id)}/commands"


def player_actions(player_id: str) -> str:
    return f"{ROOT}/players/{_segment(player_id)}/actions"


def player_inbox(player_id: str) -> str:
    return f"{ROOT}/players/{_segment(player_id)}/inbox"


def game_events(game_id: str) -> str:
    return f"{ROOT}/games/{_segment(game_id)}/events"


def is_identity(value: str) -> bool:
    return bool(_SEGMENT.fullmatch(value))


def _segment(value: str) -> str:
    if not is_identity(value):
        raise ValueError(f"not a topic segment: {value!r}")
    return value


def sender_of(topic: str) -> str | None:
    """The player a command or action came from: the ``{player_id}`` segment, or None."""
    parts = topic.split("/")
    if len(parts) != 5 or "/".join(parts[:2]) != ROOT:
        return None
    kind, player_id, leaf = parts[2], parts[3], parts[4]
    if (kind, leaf) not in (("hosts", "commands"), ("players", "actions")):
        return None
    return player_id if is_identity(player_id) else None


@dataclass(frozen=True)
class PlayerPolicy:
    """What one connected player may do: nothing beyond these lists, and never RETAIN."""

    player_id: str

    @property
    def client_id(self) -> str:
        return self.player_id

    @property
    def publish(self) -> tuple[str, ...]:
        return (host_commands(self.player_id), player_actions(self.player_id))

    @property
    def subscribe(self) -> tuple[str, ...]:
        return (player_inbox(self.player_id), *SHARED_SUBSCRIBE)

    # ------------------------------------------------------------------ AWS IoT

    def iot_policy(self, *, region: str, account_id: str) -> dict[str, Any]:
        """The IoT policy document. ``iot:RetainPublish`` is not granted: no RETAIN."""
        arn = f"arn:aws:iot:{region}:{account_id}"
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iot:Connect",
                 "Resource": f"{arn}:client/{self.client_id}"},
                {"Effect": "Allow", "Action": "iot:Publish",
                 "Resource": [f"{arn}:topic/{topic}" for topic in self.publish]},
                {"Effect": "Allow", "Action": "iot:Subscribe",
                 "Resource": [f"{arn}:topicfilter/{_iot_filter(f)}" for f in self.subscribe]},
                {"Effect": "Allow", "Action": "iot:Receive",
                 "Resource": [f"{arn}:topic/{_iot_filter(f)}" for f in self.subscribe]},
            ],
        }

    def authorizer_response(
        self, *, region: str, account_id: str, disconnect_after_seconds: int,
        refresh_after_seconds: int = 300,
    ) -> dict[str, Any]:
        """What the IoT custom authorizer function returns for a verified token."""
        return {
            "isAuthenticated": True,
            "principalId": re.sub(r"[^A-Za-z0-9]", "", self.player_id)[:128] or "player",
            "disconnectAfterInSeconds": max(300, min(disconnect_after_seconds, 86400)),
            "refreshAfterInSeconds": refresh_after_seconds,
            "policyDocuments": [json.dumps(self.iot_policy(region=region,
                                                           account_id=account_id))],
        }

    # ------------------------------------------------------------------ Mosquitto

    @property
    def role_name(self) -> str:
        return f"player-{self.player_id}"

    def dynsec_acls(self) -> list[dict[str, Any]]:
        """The player's own role: their topics. What every player may do alike is in the
        shared ``PLAYERS_ROLE``; the broker's defaults deny everything else (``DEFAULT_ACLS``)."""
        acls = [_acl("publishClientSend", topic) for topic in self.publish]
        return acls + _subscribe_acls(f for f in self.subscribe if f not in SHARED_SUBSCRIBE)

    @property
    def dynsec_roles(self) -> list[dict[str, str]]:
        return [{"rolename": self.role_name}, {"rolename": PLAYERS_ROLE}]


def _subscribe_acls(topic_filters: Iterable[str]) -> list[dict[str, Any]]:
    acls = []
    for topic_filter in topic_filters:
        acls.append(_acl("subscribePattern", topic_filter))
        acls.append(_acl("publishClientReceive", topic_filter))
    return acls


def _acl(kind: str, topic: str) -> dict[str, Any]:
    return {"acltype": kind, "topic": topic, "priority": 0, "allow": True}


def _iot_filter(topic_filter: str) -> str:
    """IoT policy resources spell the MQTT single-level wildcard ``+`` as ``*``."""
    return topic_filter.replace("+", "*")


# Locally, one role every player client shares: the filters every player may subscribe to.
# Mosquitto 2.0's dynamic-security ACLs take no %u/%c substitution, so a player's own topics
# need a role of their own; these do not (and each copy would grow the file the broker
# rewrites after every change).
PLAYERS_ROLE = "players"
PLAYERS_ACLS: list[dict[str, Any]] = _subscribe_acls(SHARED_SUBSCRIBE)

# Broker-wide defaults locally: only roles open anything (AWS IoT denies by default too).
DEFAULT_ACLS: dict[str, bool] = {
    "publishClientSend": False,
    "publishClientReceive": False,
    "subscribe": False,
    "unsubscribe": True,
}

# The service's own clients (rules runner, iot-data bridge): every live topic, nothing else.
SERVICE_ACLS: list[dict[str, Any]] = [
    _acl("publishClientSend", f"{ROOT}/#"),
    _acl("publishClientReceive", f"{ROOT}/#"),
    _acl("subscribePattern", f"{ROOT}/#"),
]
