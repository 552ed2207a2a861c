"""The live-game host bot's brain (Sans-I/O; events and actions in ``live.py``).

Flow: ``Begin`` -> ``open_game``; inbox ``game_opened`` -> ``Watch`` the game's broadcast;
``Watching`` -> ``Announce`` (players may join) and wait for ``players`` joins (or the lobby
timeout, then start with whoever came) -> ``start_game``; ``game_started`` -> ``next_question``;
each ``question`` -> wait for its ``winner`` broadcast or its time limit (plus a grace), then
the next question, or ``end_game`` after the last; ``game_ended`` -> ``Done``.

A step is a command whose reply (inbox or broadcast) moves the game on. A retryable error
resends it after a pause; ``no_more_questions`` ends the game; any other refusal, or no reply
within ``step_timeout_seconds``, ends the run with that code.

The brain records what it saw for the checks that follow a game: the questions asked, every
``winner`` broadcast per question, the winners ``question_ended`` named, the final scoreboard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clients.bots.hosting import LOBBY_TIMER, RETRY_TIMER, Hosting
from clients.bots.live import (
    RETRYABLE_CODES,
    Action,
    Announce,
    LiveSeat,
    Send,
    SendFailed,
    Watch,
    player_of,
)
from clients.bots.seat import RETRY_PAUSE_SECONDS, SetTimer
from clients.sdk.mqtt_messages import LiveMessage

_DEADLINE_TIMER = "deadline:"
_NEXT_TIMER = "next:"
_STEP_TIMER = "step:"


@dataclass(frozen=True)
class HostSettings:
    players: int  # start as soon as this many have joined
    lobby_timeout_seconds: float = 60.0
    deadline_grace_seconds: float = 0.5  # after a question's time limit, before moving on
    pause_after_winner_seconds: float = 0.0  # let the scoreboard show before the next question
    step_timeout_seconds: float = 30.0
    max_retries: int = 3

    def __post_init__(self) -> None:
        if self.players < 1:
            raise ValueError("players must be at least 1")
        if self.lobby_timeout_seconds <= 0 or self.step_timeout_seconds <= 0:
            raise ValueError("timeouts must be positive")
        if self.deadline_grace_seconds < 0 or self.pause_after_winner_seconds < 0:
            raise ValueError("pauses must not be negative")


class LiveHost(Hosting, LiveSeat):
    prefix = "h"
    retryable_codes = RETRYABLE_CODES
    topic = "command"

    def __init__(self, settings: HostSettings, quiz_id: str) -> None:
        super().__init__()
        self.settings = settings
        self.quiz_id = quiz_id
        self.question_count = 0
        self.joined = 0
        self.asked: list[str] = []  # question ids, in the order asked
        self.winners: dict[str, str] = {}  # question id -> winner, from the winner broadcast
        self.winner_broadcasts: Counter[str] = Counter()  # question id -> winner messages
        self.ended: dict[str, str | None] = {}  # question id -> winner named by question_ended
        self.scores: list[Mapping[str, Any]] = []  # the latest scoreboard
        self.final_scores: list[Mapping[str, Any]] | None = None
        self._open: str | None = None  # the question waited on
        self._awaiting: Send | None = None
        self._started = False
        self._retries_left = settings.max_retries

    # ------------------------------------------------------------------ events

    def _begin(self) -> list[Action]:
        return self._step("open_game", quiz_id=self.quiz_id)

    def _on_watching(self, game_id: str) -> list[Action]:
        return [Announce(game_id), SetTimer(self.settings.lobby_timeout_seconds, LOBBY_TIMER)]

    def _on_message(self, message: LiveMessage) -> list[Action]:
        handler = _HANDLERS.get(message.type)
        return handler(self, message) if handler is not None else []

    def _on_timer(self, tag: str) -> list[Action]:
        if (lobby := self._lobby_over(tag)) is not None:
            return lobby
        kind, _, key = tag.partition(":")
        if kind + ":" in (_DEADLINE_TIMER, _NEXT_TIMER) and self._is_open(key):
            return self._move_on() if self._awaiting is None else []
        if kind + ":" == RETRY_TIMER and self._awaits_request(key):
            return self._resend()
        if kind + ":" == _STEP_TIMER and self._awaits_request(key):
            action = self._awaiting.action if self._awaiting else "step"
            seconds = self.settings.step_timeout_seconds
            return self._finish(f"{action}:timeout", f"no reply in {seconds:g} s")
        return []

    def _on_send_failed(self, failed: SendFailed) -> list[Action]:
        if not self._awaits_request(failed.request_id) or self._retries_left <= 0:
            return super()._on_send_failed(failed)
        self._retries_left -= 1
        return [SetTimer(RETRY_PAUSE_SECONDS, RETRY_TIMER + failed.request_id)]

    # ------------------------------------------------------------------ messages

    def _game_opened(self, message: LiveMessage) -> list[Action]:
        if not self._answers_step(message, "open_game") or message.game_id is None:
            return []
        self.game_id = message.game_id
        self.question_count = int(message["quiz"]["question_count"])
        self._awaiting = None
        return [Watch(message.game_id)]

    def _player_joined(self, message: LiveMessage) -> list[Action]:
        self.joined = max(self.joined, int(message["players"]))
        if not self._started and self.joined >= self.settings.players:
            return self._start()
        return []

    def _game_started(self, message: LiveMessage) -> list[Action]:
        self.joined = max(self.joined, int(message["players"]))
        return (
            self._step("next_question", game_id=self.game_id) if self._awaits("start_game") else []
        )

    def _question(self, message: LiveMessage) -> list[Action]:
        question_id = str(message["question"]["question_id"])
        if question_id in self.asked:
            return []
        self.asked.append(question_id)
        self._open = question_id
        self._awaiting = None
        wait = float(message["time_limit_seconds"]) + self.settings.deadline_grace_seconds
        return [SetTimer(wait, _DEADLINE_TIMER + question_id)]

    def _winner(self, message: LiveMessage) -> list[Action]:
        question_id = str(message["question_id"])
        self.winner_broadcasts[question_id] += 1
        winner = player_of(message.get("winner"))
        if winner is not None:
            self.winners.setdefault(question_id, winner)
        self.scores = list(message.get("scores") or [])
        if not self._is_open(question_id) or self._awaiting is not None:
            return []
        pause = self.settings.pause_after_winner_seconds
        return [SetTimer(pause, _NEXT_TIMER + question_id)] if pause > 0 else self._move_on()

    def _question_ended(self, message: LiveMessage) -> list[Action]:
        self.ended[str(message["question_id"])] = player_of(message.get("winner"))
        return []

    def _game_ended(self, message: LiveMessage) -> list[Action]:
        return self._ended(message["scores"])

    def _error(self, message: LiveMessage) -> list[Action]:
        error = message.error()
        request = self._request_of(message)
        if request is None or not self._awaits_request(request.request_id):
            self.errors.append((error.code, error.message))
            return []
        if request.action == "next_question" and error.code == "no_more_questions":
            return self._step("end_game", game_id=self.game_id)
        return self._retry_or_fail(request, error)

    # ------------------------------------------------------------------ steps

    def _step(self, action: str, **fields: Any) -> list[Action]:
        """Send a command whose reply the game waits for, with a timeout on that reply."""
        self._awaiting = self._send(action, **fields)
        self._retries_left = self.settings.max_retries
        self._retries_used = 0
        timeout = SetTimer(
            self.settings.step_timeout_seconds, _STEP_TIMER + self._awaiting.request_id
        )
        return [self._awaiting, timeout]

    def _resend(self) -> list[Action]:
        assert self._awaiting is not None
        retries, used = self._retries_left, self._retries_used
        actions = self._step(self._awaiting.action, **self._awaiting.fields)
        self._retries_left, self._retries_used = retries, used
        return actions

    def _start(self) -> list[Action]:
        self._started = True
        return self._step("start_game", game_id=self.game_id)

    def _move_on(self) -> list[Action]:
        self._open = None
        if len(self.asked) < self.question_count:
            return self._step("next_question", game_id=self.game_id)
        return self._step("end_game", game_id=self.game_id)

    def _answers_step(self, message: LiveMessage, action: str) -> bool:
        return self._awaits(action) and (
            message.request_id is None or self._awaits_request(message.request_id)
        )

    def _awaits_request(self, request_id: str) -> bool:
        return self._awaiting is not None and self._awaiting.request_id == request_id

    def _is_open(self, question_id: str) -> bool:
        return self._open is not None and self._open == question_id


_HANDLERS = {
    "game_opened": LiveHost._game_opened,
    "player_joined": LiveHost._player_joined,
    "game_started": LiveHost._game_started,
    "question": LiveHost._question,
    "winner": LiveHost._winner,
    "question_ended": LiveHost._question_ended,
    "game_ended": LiveHost._game_ended,
    "error": LiveHost._error,
}
