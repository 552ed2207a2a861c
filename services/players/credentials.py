"""Registration rules checked before Cognito is called (the pool's policy says the same)."""

from __future__ import annotations

import re

from services.core.errors import WeakPassword

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,32}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
# Cognito's password policy counts these as symbols.
PASSWORD_SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")

_RULES = (
    ("an upper-case letter", lambda c: c.isascii() and c.isupper()),
    ("a lower-case letter", lambda c: c.isascii() and c.islower()),
    ("a digit", lambda c: c.isascii() and c.isdigit()),
    ("a symbol", lambda c: c in PASSWORD_SYMBOLS),
)


def password_problems(password: str) -> list[str]:
    """What the password lacks; empty when it is strong enough."""
    problems = [f"at least {MIN_PASSWORD_LENGTH} characters"] if (
        len(password) < MIN_PASSWORD_LENGTH
    ) else []
    problems += [name for name, accepts in _RULES if not any(map(accepts, password))]
    if re.search(r"^\s|\s$", password):
        problems.append("no leading or trailing spaces")
    return problems


def check_password_strength(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise WeakPassword(
            "the password needs " + ", ".join(problems), details={"missing": problems}
        )
