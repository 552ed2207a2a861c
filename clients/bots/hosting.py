"""What the hosted and live host brains share: the lobby, the step awaited, retries, the end.

A host opens the lobby (``LOBBY_TIMER``) and starts once enough players joined, or at the
lobby's timeout with whoever came (none: the run ends, ``no_players``). Each step is a request
whose reply moves the game on (``_awaiting``); a refusal the mode calls retryable is sent again
after a pause (``RETRY_TIMER``), at most ``max_retries`` times, any other ends the run with
``<action>:<code>``. ``game_ended`` ends the run with the final scoreboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from clients.bots.seat import RETRY_PAUSE_SECONDS, Request, SetTimer
from clients.sdk.errors import GameServerError

LOBBY_TIMER = "lobby"
RETRY_TIMER = "retry:"


class Hosting:
    """Mixed into a host brain (before its ``GameSeat`` base), which provides ``_finish``,
    ``_start`` and the attributes below."""

    retryable_codes: frozenset[str]
    joined: int
    final_scores: list[Mapping[str, Any]] | None
    _awaiting: Request | None
    _started: bool
    _retries_left: int
    _retries_used: int = 0  # of the request awaited now

    if TYPE_CHECKING:  # provided by the brain (GameSeat and the host itself), which follow

        def _finish(self, code: str | None = None, message: str | None = None) -> list[Any]: ...

        def _start(self) -> list[Any]: ...

    def _lobby_over(self, tag: str) -> list[Any] | None:
        """Start (or give up) at the lobby's timeout; None for any other timer."""
        if tag != LOBBY_TIMER or self._started:
            return None
        if self.joined == 0:
            return self._finish("no_players", "nobody joined before the lobby timeout")
        return self._start()

    def _retry_or_fail(self, request: Request, error: GameServerError) -> list[Any]:
        if (error.retryable or error.code in self.retryable_codes) and self._retries_left > 0:
            self._retries_left -= 1
            # doubling pauses (0.2, 0.4, 0.8 s with three retries): the last retry comes after
            # the server's one-second rate-limit window, which a quick host can fill
            pause = RETRY_PAUSE_SECONDS * 2 ** self._retries_used
            self._retries_used += 1
            return [SetTimer(pause, RETRY_TIMER + request.request_id)]
        return self._finish(f"{request.action}:{error.code}", error.message)

    def _awaits(self, action: str) -> bool:
        return self._awaiting is not None and self._awaiting.action == action

    def _ended(self, scores: Any) -> list[Any]:
        self.final_scores = list(scores)
        return self._finish()
