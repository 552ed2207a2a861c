"""Quiz-specific domain errors, on top of the shared ones in ``services.core.errors``."""

from __future__ import annotations

from services.core.errors import Conflict


class QuizVersionConflict(Conflict):
    """The quiz changed since the caller read it (a lost update was refused)."""

    code = "quiz_version_conflict"


class QuizIdTaken(Conflict):
    """A freshly drawn quiz id already exists; the create use case draws another one."""

    code = "quiz_id_taken"
