"""What the hosted and live demos check alike about a game, from what the bots saw.

Each seat finished without an error and reported none it went on despite.
"""

from __future__ import annotations

from typing import Protocol

from clients.bots.seat import Done

Problem = tuple[str, str]  # (code, what is wrong)


class Seat(Protocol):
    @property
    def done(self) -> Done | None: ...

    @property
    def errors(self) -> list[tuple[str, str]]: ...


def host_problems(host: Seat) -> list[Problem]:
    """The host stopped early, or went on despite errors."""
    problems: list[Problem] = []
    if host.done is None or not host.done.ok:
        done = host.done
        code = done.error_code if done is not None else "unfinished"
        problems.append((f"host:{code}", (done and done.error_message) or "the host stopped"))
    return problems + [(f"host:{code}", what) for code, what in host.errors]


def unfinished(name: str, player: Seat) -> list[Problem]:
    """The player stopped early (one problem), else nothing."""
    done = player.done
    if done is None or not done.ok:
        code = done.error_code if done is not None else "unfinished"
        return [(f"player:{code}", f"{name}: {(done and done.error_message) or 'stopped'}")]
    return []


def player_errors(name: str, player: Seat) -> list[Problem]:
    return [(f"player:{code}", f"{name}: {what}") for code, what in player.errors]
