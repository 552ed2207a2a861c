"""A player's profile: what they may edit (display name, location, real name) and what only
the server changes (experience, wins, wallet). The player id is the Cognito ``sub``."""

from __future__ import annotations

from dataclasses import dataclass

from services.players.levels import Level, level_for


@dataclass(frozen=True)
class Profile:
    player_id: str
    username: str
    display_name: str
    location: str
    real_name: str
    experience: int
    wins: int
    wallet: int
    created_at: str

    @property
    def level(self) -> Level:
        return level_for(self.experience)


@dataclass(frozen=True)
class ProfileChanges:
    """The fields a player may change on their own profile; None leaves a field as it is."""

    display_name: str | None = None
    location: str | None = None
    real_name: str | None = None

    def as_dict(self) -> dict[str, str]:
        fields = {
            "display_name": self.display_name,
            "location": self.location,
            "real_name": self.real_name,
        }
        return {name: value for name, value in fields.items() if value is not None}
