"""The demo's verdict on the asynchronous writers: leaderboard and experience must add up.

Results reach the leaderboard and progress writers through SNS, so they land a little after
the answers were scored. The checks are polled with back-off until they all pass or the
deadline (``verify_timeout``) passes; whatever still fails then counts as one error each.

Rules checked (PRODUCT.md, docs/http-api.md): a fresh player's first play is ranked and earns
10 experience per correct answer; the leaderboard rank is 1 + the number of strictly better
scores; the quiz owner earns the experience their players earn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from clients.sdk.client import TriviaClient
from clients.sdk.errors import TriviaError

EXPERIENCE_PER_CORRECT_ANSWER = 10
TOP_SIZE = 10
FIRST_PAUSE_SECONDS = 0.2
LONGEST_PAUSE_SECONDS = 1.0


def result_problems(result: Mapping[str, Any], intended_correct: int | None) -> list[str]:
    """Codes for what is wrong with one fresh player's first result (empty when right)."""
    problems = []
    correct, total = int(result.get("correct", -1)), int(result.get("total", 0))
    if result.get("ranked") is not True:
        problems.append("result_not_ranked")
    if result.get("experience") != EXPERIENCE_PER_CORRECT_ANSWER * correct:
        problems.append("result_experience_mismatch")
    if total <= 0 or abs(float(result.get("score", -1)) - 100 * correct / total) > 0.5:
        problems.append("result_score_mismatch")
    if intended_correct is not None and correct != intended_correct:
        problems.append("result_correct_mismatch")
    return problems


@dataclass(frozen=True)
class Expectations:
    scores: dict[str, int]  # username -> leaderboard score
    experience: dict[str, int]  # username -> experience earned

    @classmethod
    def from_results(cls, results: Mapping[str, Mapping[str, Any]]) -> Expectations:
        return cls(
            scores={name: int(r["score"]) for name, r in results.items()},
            experience={
                name: EXPERIENCE_PER_CORRECT_ANSWER * int(r["correct"])
                for name, r in results.items()
            },
        )

    @property
    def author_experience(self) -> int:
        return sum(self.experience.values())

    def rank(self, username: str) -> int:
        mine = self.scores[username]
        return 1 + sum(1 for score in self.scores.values() if score > mine)

    def top_scores(self) -> list[int]:
        return sorted(self.scores.values(), reverse=True)[:TOP_SIZE]


@dataclass(frozen=True)
class Check:
    code: str
    subject: str
    run: Callable[[], Awaitable[str | None]]  # None when it passes, else what is wrong


async def verify_writers(
    author: TriviaClient,
    players: Mapping[str, TriviaClient],
    quiz_id: str,
    expected: Expectations,
    *,
    timeout: float,
    concurrency: int,
) -> list[tuple[str, str]]:
    """Poll every check until all pass or time runs out; return (code, problem) still failing."""
    pending = _checks(author, players, quiz_id, expected)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    pause = FIRST_PAUSE_SECONDS
    failures: dict[Check, str] = {}
    while pending:
        failures = await _run_checks(pending, concurrency)
        pending = list(failures)
        remaining = deadline - loop.time()
        if not pending or remaining <= 0:
            break
        await asyncio.sleep(min(pause, remaining))
        pause = min(pause * 1.5, LONGEST_PAUSE_SECONDS)
    return [(check.code, f"{check.subject}: {problem}") for check, problem in failures.items()]


async def _run_checks(checks: list[Check], concurrency: int) -> dict[Check, str]:
    gate = asyncio.Semaphore(concurrency)

    async def one(check: Check) -> str | None:
        async with gate:
            try:
                return await check.run()
            except TriviaError as error:
                return f"could not check: {error}"

    outcomes = await asyncio.gather(*(one(check) for check in checks))
    return {check: problem for check, problem in zip(checks, outcomes, strict=True) if problem}


def _checks(
    author: TriviaClient,
    players: Mapping[str, TriviaClient],
    quiz_id: str,
    expected: Expectations,
) -> list[Check]:
    author_experience = _experience(author, expected.author_experience)
    checks = [
        Check("author_experience_mismatch", "author", author_experience),
        Check("leaderboard_top_mismatch", "leaderboard", _top(author, quiz_id, expected)),
    ]
    for name, client in players.items():
        standing = {"rank": expected.rank(name), "score": expected.scores[name]}
        experience = _experience(client, expected.experience[name])
        checks.append(Check("leaderboard_mismatch", name, _standing(client, quiz_id, standing)))
        checks.append(Check("experience_mismatch", name, experience))
    return checks


def _experience(client: TriviaClient, want: int) -> Callable[[], Awaitable[str | None]]:
    async def check() -> str | None:
        have = (await client.get_profile()).get("experience")
        return None if have == want else f"experience {have}, expected {want}"

    return check


def _standing(
    client: TriviaClient, quiz_id: str, want: dict[str, int]
) -> Callable[[], Awaitable[str | None]]:
    async def check() -> str | None:
        mine = (await client.get_leaderboard(quiz_id)).get("me")
        have = {"rank": mine.get("rank"), "score": mine.get("score")} if mine else None
        return None if have == want else f"leaderboard shows {have}, expected {want}"

    return check


def _top(
    client: TriviaClient, quiz_id: str, expected: Expectations
) -> Callable[[], Awaitable[str | None]]:
    async def check() -> str | None:
        top = (await client.get_leaderboard(quiz_id)).get("top") or []
        have = [entry.get("score") for entry in top]
        want = expected.top_scores()
        return None if have == want else f"top scores {have}, expected {want}"

    return check
