"""The hosted-game host bot's brain (Sans-I/O; events and actions in ``hosted.py``).

Flow: ``Begin`` -> ``open_game``; ``game_opened`` -> ``Announce`` (the join code) and wait for
``players`` joins (or the lobby timeout, then start with whoever came) -> ``start_game``; then
for each question: ``next_question``; when every player answered (``answer_progress``) or the
question's time limit (plus a grace) ran out -> ``close_question``; after ``question_closed``:
casual -> ``reveal`` -> ``show_scoreboard``; competitive -> the next question of the round, and
at the end of a round ``reveal`` (the whole round) -> ``show_scoreboard``. After the last
question's scoreboard -> ``end_game``; ``game_ended`` -> ``Done``.

A round ends where ``rounds`` (the round of each question in play order, when the host knows
the quiz) says so; without it the host asks for the reveal after every question and takes the
server's ``invalid_state`` ("the round is not finished") as "ask the next one". An
``invalid_state``/``question_not_open`` refusal of a ``close_question`` means the question was
closed already; ``no_more_questions`` means the quiz is over.

The brain records what it saw for the checks that follow a game: how many players started
(``game_started``), each revealed question's counts (how many answered it, how many of them
right), and the final standings (the top 10 and how many players are ranked). The host is sent
no player's own answers or points.

After a reconnect (the shell resumes), the ``resumed`` state decides: an open question is
waited on again; otherwise the step whose reply never came is sent again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clients.bots.answering import AskedQuestion
from clients.bots.hosted import RETRYABLE_CODES, Action, Announce, SeatBrain, Send
from clients.bots.hosting import LOBBY_TIMER, RETRY_TIMER, Hosting
from clients.bots.seat import SetTimer
from clients.sdk.ws_messages import ServerMessage

# A close_question refused with these: the server had already closed the question.
ALREADY_CLOSED_CODES = frozenset({"invalid_state", "question_not_open"})
_DEADLINE_TIMER = "deadline:"


@dataclass(frozen=True)
class RevealCounts:
    """One revealed question's counts: how many players answered it, how many of them right."""

    answered: int
    answered_correctly: int


@dataclass(frozen=True)
class HostSettings:
    players: int  # start as soon as this many have joined
    lobby_timeout_seconds: float = 60.0
    close_grace_seconds: float = 0.5  # after the time limit, before closing it ourselves
    rounds: tuple[int, ...] | None = None  # the round of each question, in play order
    max_retries: int = 3

    def __post_init__(self) -> None:
        if self.players < 1:
            raise ValueError("players must be at least 1")
        if self.lobby_timeout_seconds <= 0 or self.close_grace_seconds < 0:
            raise ValueError("timeouts must be positive")


class HostBot(Hosting, SeatBrain):
    prefix = "h"
    retryable_codes = RETRYABLE_CODES

    def __init__(self, settings: HostSettings, quiz_id: str) -> None:
        super().__init__()
        self.settings = settings
        self.quiz_id = quiz_id
        self.join_code: str | None = None
        self.mode = "casual"
        self.question_count = 0
        self.joined = 0
        self.players: int | None = None  # how many started (game_started)
        self.asked: list[AskedQuestion] = []
        self.revealed: list[str] = []
        self.reveal_counts: dict[str, RevealCounts] = {}  # question id -> its counts
        self.final_scores: list[Mapping[str, Any]] | None = None  # the top 10 at the end
        self.final_players: int | None = None  # how many players the end ranked
        self._open: AskedQuestion | None = None
        self._awaiting: Send | None = None  # the step whose reply moves the game on
        self._started = False
        self._retries_left = settings.max_retries

    # ------------------------------------------------------------------ events

    def _begin(self) -> list[Action]:
        return [self._step("open_game", quiz_id=self.quiz_id)]

    def _on_message(self, message: ServerMessage) -> list[Action]:
        handler = _HANDLERS.get(message.type)
        return handler(self, message) if handler is not None else []

    def _on_timer(self, tag: str) -> list[Action]:
        if (lobby := self._lobby_over(tag)) is not None:
            return lobby
        if tag.startswith(_DEADLINE_TIMER) and self._is_open(tag.removeprefix(_DEADLINE_TIMER)):
            if self._awaiting is None:  # not already closing it
                return [self._step("close_question", game_id=self.game_id)]
        if tag.startswith(RETRY_TIMER) and self._awaiting is not None:
            if self._awaiting.request_id == tag.removeprefix(RETRY_TIMER):
                return [self._resend()]
        return []

    # ------------------------------------------------------------------ messages

    def _game_opened(self, message: ServerMessage) -> list[Action]:
        self.game_id = message.game_id
        self.join_code = str(message["join_code"])
        quiz = message["quiz"]
        self.mode = str(quiz["mode"])
        self.question_count = int(quiz["question_count"])
        self._awaiting = None
        announce = Announce(str(self.game_id), self.join_code)
        return [announce, SetTimer(self.settings.lobby_timeout_seconds, LOBBY_TIMER)]

    def _player_joined(self, message: ServerMessage) -> list[Action]:
        self.joined = int(message["players"])
        if not self._started and self.joined >= self.settings.players:
            return self._start()
        return []

    def _game_started(self, message: ServerMessage) -> list[Action]:
        self.players = int(message["players"])
        return [self._next_question()] if self._awaits("start_game") else []

    def _question(self, message: ServerMessage) -> list[Action]:
        question = AskedQuestion.from_message(message["question"])
        if any(asked.question_id == question.question_id for asked in self.asked):
            return []
        self.asked.append(question)
        return self._wait_for_answers(question, int(message["time_limit_seconds"]))

    def _answer_progress(self, message: ServerMessage) -> list[Action]:
        if not self._is_open(str(message["question_id"])) or self._awaiting is not None:
            return []
        if int(message["answered"]) >= int(message["players"]):
            return [self._step("close_question", game_id=self.game_id)]
        return []

    def _question_closed(self, message: ServerMessage) -> list[Action]:
        if not self._is_open(str(message["question_id"])):
            return []
        return self._after_close()

    def _reveal(self, message: ServerMessage) -> list[Action]:
        for revealed in message["questions"]:
            question_id = str(revealed["question_id"])
            self.revealed.append(question_id)
            self.reveal_counts[question_id] = RevealCounts(
                int(revealed["answered"]), int(revealed["answered_correctly"])
            )
        if not self._awaits("reveal"):
            return []
        return [self._step("show_scoreboard", game_id=self.game_id)]

    def _scoreboard(self, message: ServerMessage) -> list[Action]:
        if not self._awaits("show_scoreboard"):
            return []
        if len(self.asked) < self.question_count:
            return [self._next_question()]
        return [self._step("end_game", game_id=self.game_id)]

    def _game_ended(self, message: ServerMessage) -> list[Action]:
        return self._final(message.body)

    def _resumed(self, message: ServerMessage) -> list[Action]:
        state: Mapping[str, Any] = message["state"]
        status = state.get("status")
        if status == "ended":
            return self._final(state)
        open_question = state.get("question")
        if status == "question_open" and isinstance(open_question, Mapping):
            question = AskedQuestion.from_message(open_question["question"])
            if all(asked.question_id != question.question_id for asked in self.asked):
                self.asked.append(question)
            return self._wait_for_answers(question, int(open_question["time_limit_seconds"]))
        if status == "question_closed" and self._open is not None:
            return self._after_close()
        return [self._resend()] if self._awaiting is not None else []

    def _error(self, message: ServerMessage) -> list[Action]:
        error = message.error()
        request = self._request_of(message)
        if request is None or self._awaiting is None:
            self.errors.append((error.code, error.message))
            return []
        if request.request_id != self._awaiting.request_id:
            return []  # an older attempt's refusal; a newer one is in flight
        if request.action == "close_question" and error.code in ALREADY_CLOSED_CODES:
            return self._after_close()
        if request.action == "next_question" and error.code == "no_more_questions":
            return self._end_of_round()
        if request.action == "reveal" and error.code == "invalid_state" and self._mid_round():
            return [self._next_question()]
        return self._retry_or_fail(request, error)

    # ------------------------------------------------------------------ steps

    def _step(self, action: str, **fields: Any) -> Send:
        """Send a host action whose reply (or broadcast) the game waits for."""
        self._awaiting = self._send(action, **fields)
        self._retries_left = self.settings.max_retries
        self._retries_used = 0
        return self._awaiting

    def _resend(self) -> Send:
        assert self._awaiting is not None
        retries, used = self._retries_left, self._retries_used
        send = self._step(self._awaiting.action, **self._awaiting.fields)
        self._retries_left, self._retries_used = retries, used
        return send

    def _final(self, standings: Mapping[str, Any]) -> list[Action]:
        self.final_players = int(standings["players"])
        return self._ended(standings["scores"])

    def _start(self) -> list[Action]:
        self._started = True
        return [self._step("start_game", game_id=self.game_id)]

    def _next_question(self) -> Send:
        return self._step("next_question", game_id=self.game_id)

    def _wait_for_answers(self, question: AskedQuestion, time_limit: int) -> list[Action]:
        self._open = question
        self._awaiting = None
        wait = time_limit + self.settings.close_grace_seconds
        return [SetTimer(wait, _DEADLINE_TIMER + question.question_id)]

    def _after_close(self) -> list[Action]:
        closed = self._open
        self._open = None
        if self.mode != "competitive" or len(self.asked) >= self.question_count:
            return [self._step("reveal", game_id=self.game_id)]
        if closed is not None and not self._round_goes_on_after(closed):
            return [self._step("reveal", game_id=self.game_id)]
        return [self._next_question()]

    def _end_of_round(self) -> list[Action]:
        unrevealed = bool(self.asked) and self.asked[-1].question_id not in self.revealed
        if self.mode == "competitive" and unrevealed:
            return [self._step("reveal", game_id=self.game_id)]
        return [self._step("end_game", game_id=self.game_id)]

    def _round_goes_on_after(self, question: AskedQuestion) -> bool:
        plan: Sequence[int] | None = self.settings.rounds
        position = len(self.asked)  # the next question's place in the plan
        if plan is None or position >= len(plan):
            return False  # unknown: ask for the reveal; the server says if the round goes on
        return plan[position] == (question.round or plan[position - 1])

    def _mid_round(self) -> bool:
        more = len(self.asked) < self.question_count
        return self.mode == "competitive" and self._open is None and more

    def _is_open(self, question_id: str) -> bool:
        return self._open is not None and self._open.question_id == question_id


_HANDLERS = {
    "game_opened": HostBot._game_opened,
    "player_joined": HostBot._player_joined,
    "player_left": HostBot._player_joined,
    "game_started": HostBot._game_started,
    "question": HostBot._question,
    "answer_progress": HostBot._answer_progress,
    "question_closed": HostBot._question_closed,
    "reveal": HostBot._reveal,
    "scoreboard": HostBot._scoreboard,
    "game_ended": HostBot._game_ended,
    "resumed": HostBot._resumed,
    "error": HostBot._error,
}
