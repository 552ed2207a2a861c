"""The WebSocket API's functions (docs/websocket.md). Glue only: parse, call one use case.

- ``authorize``: the REQUEST authorizer of ``$connect`` (the shared token verifier).
- ``connections``: ``$connect`` writes the connection record, ``$disconnect`` deletes it.
- ``game``: every action route and ``$default``; each frame is admitted (token not expired,
  rate limit), validated against the actions schema, and handed to its use case. Errors become
  error frames on the same connection; ``token_expired`` also closes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from services.core.errors import DomainError, ValidationFailed
from services.core.ws import WebSocketRouter, WsRequest, request_authorizer
from services.hosted import protocol, use_cases
from services.hosted.compose import connections as connection_store
from services.hosted.compose import hosted_services, token_verifier
from services.hosted.errors import TokenExpired, UnknownAction
from services.hosted.ports import ConnectionRecord
from services.hosted.use_cases import Caller

authorize = request_authorizer(lambda: token_verifier().verify)

connections = WebSocketRouter()


@connections.route("$connect")
def on_connect(request: WsRequest) -> None:
    identity = request.authorizer
    record = ConnectionRecord(
        connection_id=request.connection_id, player_id=str(identity["player_id"]),
        username=str(identity["username"]),
        token_expires_at=int(identity["token_expires_at"]),
        connected_at=request.connected_at // 1000,
    )
    connection_store().add(record)


@connections.route("$disconnect")
def on_disconnect(request: WsRequest) -> None:
    connection_store().remove(request.connection_id)


def _send_error(request: WsRequest, error: DomainError) -> None:
    services = hosted_services()
    frame = protocol.error_frame(
        error.code, error.message, retryable=error.retryable,
        request_id=protocol.request_id_of(request.body),
        game_id=protocol.game_id_of(request.body),
    )
    services.notifier.send([request.connection_id], frame)
    if isinstance(error, TokenExpired):
        use_cases.close_connection(services, request.connection_id)


game = WebSocketRouter(error_sink=_send_error)


def _caller(request: WsRequest) -> Caller:
    identity = request.authorizer
    return Caller(
        connection_id=request.connection_id, player_id=str(identity["player_id"]),
        username=str(identity["username"]),
        token_expires_at=int(identity["token_expires_at"]),
        request_id=protocol.request_id_of(request.body),
    )


def _admitted(request: WsRequest) -> tuple[use_cases.HostedServices, Caller, dict[str, Any]]:
    services, caller = hosted_services(), _caller(request)
    use_cases.admit(services, caller)
    return services, caller, protocol.parse_action(request.body)


GameAction = Callable[[use_cases.HostedServices, Caller, str], None]


def _game_route(name: str, action: GameAction) -> None:
    def route(request: WsRequest) -> None:
        services, caller, body = _admitted(request)
        action(services, caller, body["game_id"])

    game.route(name)(route)


for _name, _action in {
    "start_game": use_cases.start_game,
    "next_question": use_cases.next_question,
    "close_question": use_cases.close_question,
    "reveal": use_cases.reveal,
    "show_scoreboard": use_cases.show_scoreboard,
    "end_game": use_cases.end_game,
    "leave_game": use_cases.leave_game,
    "resume": use_cases.resume,
}.items():
    _game_route(_name, _action)


@game.route("open_game")
def open_game(request: WsRequest) -> None:
    services, caller, body = _admitted(request)
    use_cases.open_game(services, caller, body["quiz_id"])


@game.route("join_game")
def join_game(request: WsRequest) -> None:
    services, caller, body = _admitted(request)
    use_cases.join_game(services, caller, body["join_code"])


@game.route("answer")
def answer(request: WsRequest) -> None:
    services, caller, body = _admitted(request)
    use_cases.answer(services, caller, body["game_id"], body["question_id"], body["answer"])


@game.route("$default")
def unknown(request: WsRequest) -> None:
    _admitted_frame(request)


def _admitted_frame(request: WsRequest) -> None:
    """``$default``: a frame with no route. A known action is validated (and refused) as such."""
    use_cases.admit(hosted_services(), _caller(request))
    try:
        frame = json.loads(request.body or "")
    except ValueError:
        raise ValidationFailed("a frame must be a JSON object") from None
    name = frame.get("action") if isinstance(frame, dict) else None
    if isinstance(name, str) and name not in protocol.action_names():
        raise UnknownAction(f"unknown action {name[:64]!r}")
    protocol.parse_action(request.body)
    raise UnknownAction("this action has no route")
