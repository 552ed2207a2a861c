"""Request bodies of the account routes, validated strictly: unknown fields are refused, so a
profile update carrying ``experience``, ``xp``, ``wallet``, ``level``, ``wins``, ``is_admin``
or ``player_id`` is a 400 and changes nothing."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from services.players.credentials import EMAIL_PATTERN, MAX_PASSWORD_LENGTH, USERNAME_PATTERN

Username = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=EMAIL_PATTERN)]
Password = Annotated[str, StringConstraints(max_length=MAX_PASSWORD_LENGTH)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
RealName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class RegisterBody(_Strict):
    username: Username
    email: Email
    password: Password  # strength is checked by the use case: 400 weak_password


class ProfilePatchBody(_Strict):
    display_name: DisplayName | None = None
    location: Location | None = None
    real_name: RealName | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(name for name, value in data.items() if value is None)
            if nulls:
                raise ValueError(f"fields cannot be null: {', '.join(nulls)}")
        return data
