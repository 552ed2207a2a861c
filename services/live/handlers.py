"""The live game's functions (docs/mqtt.md). Glue only: parse, call one use case.

- ``host_commands`` / ``player_actions``: invoked by the topic rules HostCommands and
  PlayerActions, whose SQL is ``SELECT encode(*, 'base64') AS payload, topic(4) AS sender,
  topic() AS topic``: the payload arrives untouched (it cannot overwrite the sender) and the
  sender is the topic segment the broker's policy pins to the connected player. Every refusal
  goes back to the sender's inbox as an ``error`` message; ``service_unavailable`` is
  retryable, never a silent accept.
- ``authorize``: the IoT custom authorizer (the shared token verifier; the token is the MQTT
  password; the policy is the player's ``PlayerPolicy``).
- ``credentials``: ``POST /live/credentials``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Callable
from typing import Any

from services.core.auth import InvalidToken
from services.core.errors import DomainError, ValidationFailed
from services.core.http import HttpRouter, Request
from services.live import protocol, topics, use_cases
from services.live.compose import credential_issuer, live_services, token_verifier
from services.live.errors import InternalError
from services.live.topics import PlayerPolicy
from services.live.use_cases import Caller, LiveServices

logger = logging.getLogger(__name__)

Command = Callable[[LiveServices, Caller, dict[str, Any]], Any]

HOST_COMMANDS: dict[str, Command] = {
    "open_game": lambda s, c, m: use_cases.open_game(s, c, m["quiz_id"]),
    "start_game": lambda s, c, m: use_cases.start_game(s, c, m["game_id"]),
    "next_question": lambda s, c, m: use_cases.next_question(s, c, m["game_id"]),
    "end_game": lambda s, c, m: use_cases.end_game(s, c, m["game_id"]),
}
PLAYER_ACTIONS: dict[str, Command] = {
    "join_game": lambda s, c, m: use_cases.join_game(s, c, m["game_id"]),
    "answer": lambda s, c, m: use_cases.answer(s, c, m["game_id"], m["question_id"],
                                               m["answer"]),
}


def _sender(event: dict[str, Any]) -> str | None:
    """The sender only when the segment and the topic agree (the rule wrote both)."""
    sender, topic = event.get("sender"), event.get("topic")
    if not isinstance(sender, str) or not isinstance(topic, str):
        return None
    return sender if topics.sender_of(topic) == sender else None


def _payload(event: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(str(event.get("payload", "")), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("a message must be a JSON object") from None


def _rule_handler(schema: str, table: dict[str, Command]) -> Callable[[dict[str, Any], Any], None]:
    def handle(event: dict[str, Any], context: Any = None) -> None:
        sender = _sender(event)
        if sender is None:
            logger.error("rule event without a valid sender; dropped")
            return
        message: dict[str, Any] | None = None
        try:
            message = protocol.decode(_payload(event))
            protocol.parse(message, schema)
            caller = Caller(player_id=sender, request_id=protocol.request_id_of(message))
            table[message["action"]](live_services(), caller, message)
        except DomainError as error:
            _refuse(sender, message, error)
        except Exception:
            logger.exception("live %s failed", schema)
            _refuse(sender, message, InternalError("something went wrong; try again"))

    return handle


def _refuse(sender: str, message: dict[str, Any] | None, error: DomainError) -> None:
    # If this publish fails too, the exception reaches Lambda, which retries the event.
    live_services().sink.publish(topics.player_inbox(sender), protocol.error(
        error, request_id=protocol.request_id_of(message), game_id=protocol.game_id_of(message)))


host_commands = _rule_handler("commands", HOST_COMMANDS)
player_actions = _rule_handler("actions", PLAYER_ACTIONS)


def authorize(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """IoT custom authorizer: MQTT password = the Cognito access token; client id = its sub."""
    mqtt = ((event.get("protocolData") or {}).get("mqtt")) or {}
    try:
        token = base64.b64decode(str(mqtt.get("password", ""))).decode()
        claims = token_verifier().verify(token)
    except (InvalidToken, binascii.Error, UnicodeDecodeError, ValueError):
        return {"isAuthenticated": False}
    player_id = str(claims["sub"])
    if mqtt.get("clientId") != player_id or not topics.is_identity(player_id):
        return {"isAuthenticated": False}
    # arn:aws:lambda:<region>:<account>:function:<name> - the policy's resources name both
    arn = str(getattr(context, "invoked_function_arn", "")).split(":") + [""] * 6
    region, account_id = arn[3], arn[4]
    remaining = int(float(claims["exp"]) - time.time())  # disconnect when the token expires
    return PlayerPolicy(player_id).authorizer_response(
        region=region, account_id=account_id, disconnect_after_seconds=max(remaining, 300))


credentials = HttpRouter()


@credentials.route("POST /live/credentials")
def issue_credentials(request: Request) -> dict[str, Any]:
    return credential_issuer().issue(request.identity.player_id).body
