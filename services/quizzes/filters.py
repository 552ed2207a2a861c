"""Checks on the listing filters (mode, category) shared by every ``QuizRepository``."""

from __future__ import annotations

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from services.core.errors import ValidationFailed
from services.quizzes.model import Category, Mode

_category = TypeAdapter(Category)


def listed_mode(mode: Mode | str) -> Mode:
    try:
        return Mode(mode)
    except ValueError:
        raise ValidationFailed(f"unknown mode {mode!r}", details={"field": "mode"}) from None


def listed_category(category: str) -> str:
    """The category slug as quizzes store it (trimmed, lowercase); 400 when it cannot be one."""
    try:
        return _category.validate_python(category)
    except PydanticValidationError:
        raise ValidationFailed(
            "category must be a slug: lowercase letters, digits and dashes, up to 40",
            details={"field": "category"},
        ) from None
