"""In-memory adapters for the player ports: the unit tests' fakes, held to the DynamoDB
adapter's behaviour by ``tests/integration/test_players_store_contract.py``."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace

from services.core.errors import UsernameTaken
from services.players.profile import Profile, ProfileChanges
from services.players.progress import Credit

CREATED_AT = "2026-01-01T00:00:00.000Z"


class InMemoryIdentityProvider:
    """Records registrations; usernames are unique regardless of case, as in the pool."""

    def __init__(self) -> None:
        self.accounts: dict[str, tuple[str, str, str]] = {}  # lower(username) -> (id, name, email)

    def register(self, username: str, email: str, password: str) -> str:
        if username.lower() in self.accounts:
            raise UsernameTaken("this username is taken")
        player_id = str(uuid.uuid4())
        self.accounts[username.lower()] = (player_id, username, email)
        return player_id


class InMemoryProfileStore:
    def __init__(self) -> None:
        self.profiles: dict[str, Profile] = {}
        self.counters: dict[str, tuple[int, int]] = {}  # credited before a profile existed
        self.credits: dict[tuple[str, str], Credit] = {}  # (beneficiary, marker) -> credit
        self._lock = threading.Lock()

    def get(self, player_id: str) -> Profile | None:
        return self.profiles.get(player_id)

    def ensure(self, player_id: str, username: str) -> Profile:
        with self._lock:
            if player_id not in self.profiles:
                experience, wins = self.counters.pop(player_id, (0, 0))
                self.profiles[player_id] = Profile(
                    player_id=player_id, username=username, display_name=username,
                    location="", real_name="", experience=experience, wins=wins, wallet=0,
                    created_at=CREATED_AT,
                )
            return self.profiles[player_id]

    def update(self, player_id: str, changes: ProfileChanges) -> Profile:
        with self._lock:
            profile = self.profiles[player_id]
            profile = replace(
                profile,
                display_name=changes.display_name or profile.display_name,
                location=profile.location if changes.location is None else changes.location,
                real_name=profile.real_name if changes.real_name is None else changes.real_name,
            )
            self.profiles[player_id] = profile
            return profile

    def credit(self, key: str, credit: Credit) -> bool:
        marker = (credit.beneficiary_id, f"credit#{key}#{credit.role}")
        with self._lock:
            if marker in self.credits:
                return False
            self.credits[marker] = credit
            self._add(credit.beneficiary_id, credit.experience, credit.wins)
            return True

    def _add(self, player_id: str, experience: int, wins: int) -> None:
        profile = self.profiles.get(player_id)
        if profile is None:
            old_experience, old_wins = self.counters.get(player_id, (0, 0))
            self.counters[player_id] = (old_experience + experience, old_wins + wins)
            return
        self.profiles[player_id] = replace(
            profile, experience=profile.experience + experience, wins=profile.wins + wins
        )
