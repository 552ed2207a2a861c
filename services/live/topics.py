"""The live game's topic layout and a player's policy (docs/mqtt.md, "Topics" and "Policy").

One module says which topics exist and what a player may do with them; the same templates
render as the IoT policy document the custom authorizer returns on AWS (``PlayerPolicy``) and
as the rules the local broker's authorizer plugin applies to every player (``broker_rules``).
Handlers take the sender from the topic segment the policy pins to the connected player
(``sender_of``), never from a payload.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

ROOT = "trivia/live"
HOST_COMMANDS_FILTER = f"{ROOT}/hosts/+/commands"
PLAYER_ACTIONS_FILTER = f"{ROOT}/players/+/actions"
GAME_EVENTS_FILTER = f"{ROOT}/games/+/events"
SHARED_SUBSCRIBE = (GAME_EVENTS_FILTER,)  # every player alike
# One topic segment: MQTT wildcards, the level separator and NUL never appear in an identity.
_SEGMENT = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")


# A player's own topics; "{}" is the player's id.
_HOST_COMMANDS = ROOT + "/hosts/{}/commands"
_PLAYER_ACTIONS = ROOT + "/players/{}/actions"
_PLAYER_INBOX = ROOT + "/players/{}/inbox"
_OWN_PUBLISH = (_HOST_COMMANDS, _PLAYER_ACTIONS)
_OWN_SUBSCRIBE = (_PLAYER_INBOX,)


def host_commands(player_id: str) -> str:
    return _HOST_COMMANDS.format(_segment(player_id))


def player_actions(player_id: str) -> str:
    return _PLAYER_ACTIONS.format(_segment(player_id))


def player_inbox(player_id: str) -> str:
    return _PLAYER_INBOX.format(_segment(player_id))


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
        return tuple(topic.format(_segment(self.player_id)) for topic in _OWN_PUBLISH)

    @property
    def subscribe(self) -> tuple[str, ...]:
        own = (topic.format(_segment(self.player_id)) for topic in _OWN_SUBSCRIBE)
        return (*own, *SHARED_SUBSCRIBE)

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


def _iot_filter(topic_filter: str) -> str:
    """IoT policy resources spell the MQTT single-level wildcard ``+`` as ``*``."""
    return topic_filter.replace("+", "*")


def broker_rules() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every player's policy as the local broker's authorizer plugin applies it (topics it may
    publish to, filters it may subscribe to and receive from), ``%u`` standing for the player:
    the plugin substitutes the authenticated username, pinned to the client id."""
    own_subscribe = tuple(topic.format("%u") for topic in _OWN_SUBSCRIBE)
    return tuple(topic.format("%u") for topic in _OWN_PUBLISH), own_subscribe + SHARED_SUBSCRIBE
