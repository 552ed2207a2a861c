"""The ports the player use cases work through (Cognito and DynamoDB adapters, in-memory fakes)."""

from __future__ import annotations

from typing import Protocol

from services.players.profile import Profile, ProfileChanges
from services.players.progress import Credit


class IdentityProvider(Protocol):
    def register(self, username: str, email: str, password: str) -> str:
        """Create a confirmed account and return its player id (the Cognito ``sub``).

        ``UsernameTaken`` when the name is in use; ``WeakPassword`` when the pool refuses it.
        """


class ProfileStore(Protocol):
    def get(self, player_id: str) -> Profile | None:
        """The complete profile, or None (none yet, or only counters credited so far)."""

    def ensure(self, player_id: str, username: str) -> Profile:
        """The profile, created with defaults where missing; never overwrites a stored field."""

    def update(self, player_id: str, changes: ProfileChanges) -> Profile:
        """Apply the changes to an existing profile and return it."""

    def credit(self, key: str, credit: Credit) -> bool:
        """Add the credit to the beneficiary's counters once per (key, role).

        ``key`` is what earned it: a result's ``result_key`` or a game's ``credit_key``.

        True when applied now; False when it had been applied before (a duplicate delivery).
        """
