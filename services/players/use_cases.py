"""Player use cases: register, read and edit one's profile, credit the experience of a result
or of a game."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.events import GameCredits, PlayerResult
from services.players.credentials import check_password_strength
from services.players.ports import IdentityProvider, ProfileStore
from services.players.profile import Profile, ProfileChanges
from services.players.progress import credits_for, credits_for_game


@dataclass(frozen=True)
class AccountServices:
    identities: IdentityProvider
    profiles: ProfileStore


@dataclass(frozen=True)
class RegisterPlayer:
    username: str
    email: str
    password: str


@dataclass(frozen=True)
class Registered:
    player_id: str
    username: str


@dataclass(frozen=True)
class ReadProfile:
    player_id: str
    username: str


@dataclass(frozen=True)
class UpdateProfile:
    player_id: str
    username: str
    changes: ProfileChanges


def register(services: AccountServices, command: RegisterPlayer) -> Registered:
    check_password_strength(command.password)  # before Cognito: a clear 400, no account made
    player_id = services.identities.register(command.username, command.email, command.password)
    services.profiles.ensure(player_id, command.username)
    return Registered(player_id=player_id, username=command.username)


def read_profile(profiles: ProfileStore, query: ReadProfile) -> Profile:
    """The caller's profile; created on first read for accounts made outside the API."""
    return profiles.get(query.player_id) or profiles.ensure(query.player_id, query.username)


def update_profile(profiles: ProfileStore, command: UpdateProfile) -> Profile:
    profile = read_profile(profiles, ReadProfile(command.player_id, command.username))
    if not command.changes.as_dict():
        return profile
    return profiles.update(command.player_id, command.changes)


def credit_result(profiles: ProfileStore, result: PlayerResult) -> int:
    """Credit a result's experience and win once; returns how many credits were new.

    SNS delivers at least once: each credit is idempotent on (result, beneficiary role), so a
    duplicate, a retry after a partial failure, or a parallel delivery adds nothing twice.
    """
    return sum(profiles.credit(result.result_key, credit) for credit in credits_for(result))


def credit_game(profiles: ProfileStore, event: GameCredits) -> int:
    """Credit a game's owner and host once each; returns how many credits were new.

    One conditional transaction per (game, beneficiary, role): a redelivered, retried or
    parallel ``GameCredits`` adds nothing twice, and the owner and host profiles see one write
    per game instead of one per player.
    """
    return sum(profiles.credit(event.credit_key, credit) for credit in credits_for_game(event))
