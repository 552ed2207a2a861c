"""Open-answer matching: case, surrounding spaces, punctuation and accents do not count."""

from __future__ import annotations

import unicodedata


def normalize_answer(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith("M"):  # combining accents
            continue
        if category.startswith(("P", "S")):  # punctuation and symbols
            continue
        kept.append(" " if char.isspace() else char)
    return " ".join("".join(kept).split())


def answer_matches(given: str, answer: str, alternatives: list[str] | tuple[str, ...] = ()) -> bool:
    normalized = normalize_answer(given)
    if not normalized:
        return False
    return any(normalized == normalize_answer(accepted) for accepted in (answer, *alternatives))
