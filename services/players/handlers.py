"""AccountsFunction (``POST /accounts``, ``GET /me``, ``PATCH /me``) and
ProgressWriterFunction (subscribed to the progress topic). Glue only: parse, call one use case,
format. The player is always the token's ``sub``, never anything in a body or path."""

from __future__ import annotations

from typing import Any

from services.core.events import GameCredits, PlayerResult
from services.core.http import HttpRouter, Request, Response
from services.core.sns import sns_handler
from services.players import use_cases
from services.players.bodies import ProfilePatchBody, RegisterBody
from services.players.compose import account_services, profile_store
from services.players.profile import Profile, ProfileChanges

accounts = HttpRouter()


@accounts.route("POST /accounts")
def register(request: Request) -> Response:
    body = request.json(RegisterBody)
    command = use_cases.RegisterPlayer(
        username=body.username, email=body.email, password=body.password
    )
    registered = use_cases.register(account_services(), command)
    return Response(201, {"player_id": registered.player_id, "username": registered.username})


@accounts.route("GET /me")
def get_me(request: Request) -> dict[str, Any]:
    identity = request.identity
    query = use_cases.ReadProfile(player_id=identity.player_id, username=identity.username)
    return _profile(use_cases.read_profile(account_services().profiles, query))


@accounts.route("PATCH /me")
def update_me(request: Request) -> dict[str, Any]:
    identity = request.identity
    body = request.json(ProfilePatchBody)
    command = use_cases.UpdateProfile(
        player_id=identity.player_id,
        username=identity.username,
        changes=ProfileChanges(
            display_name=body.display_name, location=body.location, real_name=body.real_name
        ),
    )
    return _profile(use_cases.update_profile(account_services().profiles, command))


def _credit(result: PlayerResult) -> int:
    return use_cases.credit_result(profile_store(), result)


def _credit_game(event: GameCredits) -> int:
    return use_cases.credit_game(profile_store(), event)


progress_writer = sns_handler(_credit, on_game_credits=_credit_game)


def _profile(profile: Profile) -> dict[str, Any]:
    level = profile.level
    return {
        "player_id": profile.player_id,
        "username": profile.username,
        "display_name": profile.display_name,
        "location": profile.location,
        "real_name": profile.real_name,
        "experience": profile.experience,
        "level": level.level,
        "next_level_at": level.next_level_at,
        "wins": profile.wins,
        "wallet": profile.wallet,
    }
