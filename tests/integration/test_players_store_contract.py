"""One contract for the profile store: in-memory fake and DynamoDB adapter (on moto)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.players.dynamo import DynamoProfileStore
from services.players.memory import InMemoryProfileStore
from services.players.ports import ProfileStore
from services.players.profile import ProfileChanges
from services.players.progress import Credit
from tests.integration.play_support import local_aws

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "dynamodb"])
def store(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ProfileStore]:
    if request.param == "memory":
        yield InMemoryProfileStore()
        return
    with local_aws(monkeypatch) as cloud:
        yield DynamoProfileStore(cloud.dynamodb, cloud.refs["PlayersTable"])


def _shown(store: ProfileStore, player_id: str) -> tuple[object, ...] | None:
    profile = store.get(player_id)
    if profile is None:
        return None
    return (profile.username, profile.display_name, profile.location, profile.real_name,
            profile.experience, profile.wins, profile.wallet)


def test_ensure_creates_a_default_profile_once(store: ProfileStore) -> None:
    assert store.get("ada") is None
    created = store.ensure("ada", "ada")
    assert _shown(store, "ada") == ("ada", "ada", "", "", 0, 0, 0)
    assert created == store.get("ada") and created.created_at
    store.update("ada", ProfileChanges(display_name="Countess", location="London"))
    store.ensure("ada", "renamed")
    assert _shown(store, "ada") == ("ada", "Countess", "London", "", 0, 0, 0)


def test_update_changes_only_the_given_fields(store: ProfileStore) -> None:
    store.ensure("ada", "ada")
    updated = store.update("ada", ProfileChanges(real_name="Augusta Ada King"))
    assert (updated.display_name, updated.real_name) == ("ada", "Augusta Ada King")
    assert store.update("ada", ProfileChanges(real_name="")).real_name == ""


def test_a_credit_applies_once_per_result_and_role(store: ProfileStore) -> None:
    store.ensure("ada", "ada")
    assert store.credit("single#p1#ada", Credit("ada", "player", 30, wins=1)) is True
    assert store.credit("single#p1#ada", Credit("ada", "player", 30, wins=1)) is False
    assert store.credit("single#p1#ada", Credit("ada", "host", 30)) is True
    assert store.credit("single#p2#ada", Credit("ada", "player", 5)) is True
    assert _shown(store, "ada") == ("ada", "ada", "", "", 65, 1, 0)


def test_credits_before_the_profile_are_kept_and_completed_on_ensure(
    store: ProfileStore,
) -> None:
    assert store.credit("single#p1#bob", Credit("olga", "owner", 20)) is True
    assert store.get("olga") is None  # counters only: not a profile yet
    store.ensure("olga", "olga")
    assert _shown(store, "olga") == ("olga", "olga", "", "", 20, 0, 0)
