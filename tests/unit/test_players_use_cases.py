"""Player use cases over in-memory fakes: registration, profile, experience credits."""

from __future__ import annotations

import pytest

from services.core.errors import UsernameTaken, WeakPassword
from services.core.events import GameCredits, PlayerResult, RoleCredit
from services.players.memory import InMemoryIdentityProvider, InMemoryProfileStore
from services.players.profile import ProfileChanges
from services.players.progress import Credit, credits_for, credits_for_game
from services.players.use_cases import (
    AccountServices,
    ReadProfile,
    RegisterPlayer,
    UpdateProfile,
    credit_game,
    credit_result,
    read_profile,
    register,
    update_profile,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def services() -> AccountServices:
    return AccountServices(identities=InMemoryIdentityProvider(), profiles=InMemoryProfileStore())


def _result(*, experience: int = 30, ranked: bool = True, owner: str = "owner",
            host: str | None = None, won: bool = False, game: str = "play-1",
            per_game: bool = False) -> PlayerResult:
    return PlayerResult(
        source="hosted" if per_game else "single", game_id=game, quiz_id="capitals",
        quiz_owner_id=owner, host_id=host, player_id="ada", username="ada", score=100,
        correct=experience // 10, total=3, experience=experience, ranked=ranked, won=won,
        completed_at="2030-01-01T00:00:00Z", credit_owner_and_host=not per_game,
    )


def _game(*credits: tuple[str, str, int], game: str = "g1") -> GameCredits:
    return GameCredits(
        source="hosted", game_id=game, quiz_id="capitals", completed_at="2030-01-01T00:00:00Z",
        credits=tuple(RoleCredit(player_id=p, role=role, experience=xp)  # type: ignore[arg-type]
                      for p, role, xp in credits),
    )


def test_register_creates_account_and_profile(services: AccountServices) -> None:
    registered = register(services, RegisterPlayer("ada", "ada@example.com", "Correct-Horse-1"))
    profile = services.profiles.get(registered.player_id)
    assert profile is not None and registered.username == "ada"
    assert (profile.username, profile.display_name, profile.location, profile.real_name) == (
        "ada", "ada", "", "")
    assert (profile.experience, profile.wins, profile.wallet, profile.level.level) == (0, 0, 0, 1)


def test_weak_password_is_refused_before_the_identity_provider_is_called(
    services: AccountServices,
) -> None:
    with pytest.raises(WeakPassword):
        register(services, RegisterPlayer("ada", "ada@example.com", "password"))
    assert services.identities.accounts == {}


def test_taken_username_is_refused(services: AccountServices) -> None:
    register(services, RegisterPlayer("ada", "ada@example.com", "Correct-Horse-1"))
    with pytest.raises(UsernameTaken):
        register(services, RegisterPlayer("ADA", "other@example.com", "Correct-Horse-2"))
    assert len(services.profiles.profiles) == 1


def test_profile_is_created_on_first_read(services: AccountServices) -> None:
    profile = read_profile(services.profiles, ReadProfile("made-elsewhere", "grace"))
    assert (profile.player_id, profile.username, profile.experience) == ("made-elsewhere",
                                                                         "grace", 0)
    assert services.profiles.get("made-elsewhere") == profile


def test_update_changes_only_the_given_fields(services: AccountServices) -> None:
    read_profile(services.profiles, ReadProfile("p", "ada"))
    updated = update_profile(services.profiles, UpdateProfile(
        "p", "ada", ProfileChanges(location="London")))
    assert (updated.display_name, updated.location, updated.real_name) == ("ada", "London", "")
    cleared = update_profile(services.profiles, UpdateProfile(
        "p", "ada", ProfileChanges(display_name="Countess", location="")))
    assert (cleared.display_name, cleared.location) == ("Countess", "")


def test_credits_for_player_owner_and_host() -> None:
    assert credits_for(_result(host="host")) == [
        Credit("ada", "player", 30), Credit("owner", "owner", 30), Credit("host", "host", 30)]


def test_a_result_of_a_game_credits_its_player_only() -> None:
    assert credits_for(_result(host="host", won=True, per_game=True)) == [
        Credit("ada", "player", 30, wins=1)]


def test_game_credits_are_one_per_role_and_zero_ones_write_nothing() -> None:
    event = _game(("olga", "owner", 50), ("olga", "host", 0))
    assert credits_for_game(event) == [Credit("olga", "owner", 50)]


def test_nobody_is_credited_twice_for_their_own_play() -> None:
    assert credits_for(_result(owner="ada", host="ada")) == [Credit("ada", "player", 30)]


def test_a_win_is_credited_even_without_experience() -> None:
    assert credits_for(_result(experience=0, won=True, host="host")) == [
        Credit("ada", "player", 0, wins=1)]


def test_unranked_or_zero_experience_results_credit_nothing() -> None:
    assert credits_for(_result(experience=0, ranked=False)) == []
    assert credits_for(_result(experience=0)) == []


def test_credit_result_is_idempotent_per_result(services: AccountServices) -> None:
    profiles = services.profiles
    read_profile(profiles, ReadProfile("ada", "ada"))
    assert credit_result(profiles, _result(won=True)) == 2
    assert credit_result(profiles, _result(won=True)) == 0
    assert credit_result(profiles, _result(won=True)) == 0
    assert profiles.get("ada").experience == 30 and profiles.get("ada").wins == 1
    assert credit_result(profiles, _result(game="play-2")) == 2
    assert profiles.get("ada").experience == 60 and profiles.get("ada").wins == 1


def test_credits_before_the_profile_exists_are_kept(services: AccountServices) -> None:
    credit_result(services.profiles, _result())
    owner = read_profile(services.profiles, ReadProfile("owner", "olga"))
    assert (owner.username, owner.experience) == ("olga", 30)


def test_credit_game_credits_each_role_once(services: AccountServices) -> None:
    profiles = services.profiles
    event = _game(("olga", "owner", 50), ("olga", "host", 50))
    assert credit_game(profiles, event) == 2
    assert credit_game(profiles, event) == 0
    assert credit_game(profiles, _game(("olga", "owner", 20), game="g2")) == 1
    olga = read_profile(profiles, ReadProfile("olga", "olga"))
    assert (olga.experience, olga.wins) == (120, 0)
