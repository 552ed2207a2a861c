"""The hosted-game player bot's brain (Sans-I/O; events and actions in ``hosted.py``).

Flow: ``Begin`` -> ``join_game``; ``joined`` (or ``resumed``) brings the game's state, and an
open question not yet answered is answered; each ``question`` -> think (``SetTimer``) ->
``answer``, unless the question closed meanwhile; ``reveal`` records this player's own verdict
on each question (``yours``); ``scoreboard`` its score and rank (``you``); ``game_ended`` (or an
``ended`` state on resume) records the final standings as sent to everyone (the top 10 and how
many players are ranked) and this player's own line -> ``Done``. No list is searched for this
player's id: each message carries this player's own part.

The answer to a question is chosen once and kept: after a reconnect the same answer is sent
again, which the server accepts as a repeat (docs/websocket.md). A dropped connection ->
``Reconnect`` (the shell resumes the game); an answer whose think time ran out while
disconnected is sent once the game is resumed. Retryable errors resend after a pause.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clients.bots.answering import (
    AnswerSettings,
    AskedQuestion,
    Choice,
    choose_answer,
)
from clients.bots.hosted import RETRYABLE_CODES, Action, SeatBrain
from clients.bots.seat import RETRY_PAUSE_SECONDS, SetTimer
from clients.sdk.ws_messages import ServerMessage

# The answer was refused, for reasons that say the question is over for this player.
LATE_CODES = frozenset({"deadline_passed", "question_not_open"})
_ANSWER_TIMER = "answer:"


@dataclass(frozen=True)
class PlayerSettings(AnswerSettings):
    """Accuracy, think time per question (drawn uniformly) and retries of an answer."""


@dataclass(frozen=True)
class Verdict:
    correct: bool
    points: int


class PlayerBot(SeatBrain):
    prefix = "p"

    def __init__(
        self,
        settings: PlayerSettings,
        rng: random.Random,
        join_code: str,
        knowledge: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.rng = rng
        self.join_code = join_code
        self.knowledge: Mapping[str, str] = knowledge or {}
        self.player_id: str | None = None
        self.choices: dict[str, Choice] = {}  # question id -> the answer chosen
        self.accepted: set[str] = set()
        self.late: dict[str, str] = {}  # question id -> why the answer was refused
        self.revealed: set[str] = set()  # question ids of the reveals this player saw
        self.verdicts: dict[str, Verdict] = {}  # question id -> its ``yours``, when answered
        self.score: int | None = None  # its own, as last sent (``you``, ``your_score``)
        self.rank: int | None = None
        self.correct_total: int | None = None  # its correct answers, as the server counts them
        self.resumed_scores: list[int] = []  # your_score in each resumed state
        self.final_scores: list[Mapping[str, Any]] | None = None  # the top 10 at the end
        self.final_players: int | None = None  # how many players the end ranked
        self._open: AskedQuestion | None = None
        self._retries_left = settings.max_retries

    @property
    def points(self) -> int:
        """Points of this player's answers in the reveals it saw."""
        return sum(verdict.points for verdict in self.verdicts.values())

    @property
    def correct(self) -> int:
        """This player's answers judged correct in the reveals it saw."""
        return sum(1 for verdict in self.verdicts.values() if verdict.correct)

    # ------------------------------------------------------------------ events

    def _begin(self) -> list[Action]:
        return [self._send("join_game", join_code=self.join_code)]

    def _on_message(self, message: ServerMessage) -> list[Action]:
        kind = message.type
        if kind in ("joined", "resumed"):
            return self._on_state(message)
        if kind == "question":
            return self._ask(AskedQuestion.from_message(message["question"]))
        if kind == "answer_accepted":
            self.accepted.add(str(message["question_id"]))
            return []
        if kind == "question_closed":
            if self._open is not None and self._open.question_id == message.get("question_id"):
                self._open = None
            return []
        if kind == "reveal":
            self._record_reveal(message["questions"])
            return []
        if kind == "scoreboard":
            self._take_you(message["you"])
            return []
        if kind == "game_ended":
            self._take_you(message["you"])
            return self._ended(message.body)
        if kind == "error":
            return self._on_error(message)
        return []  # game_started and anything newer: nothing to do

    def _on_timer(self, tag: str) -> list[Action]:
        if not tag.startswith(_ANSWER_TIMER):
            return []
        question_id = tag.removeprefix(_ANSWER_TIMER)
        still_open = self._open is not None and self._open.question_id == question_id
        if not still_open or question_id in self.accepted or not self.connected:
            return []  # closed meanwhile, done, or to be sent once resumed
        choice = self.choices[question_id]
        return [
            self._send(
                "answer", game_id=self.game_id, question_id=question_id, answer=choice.answer
            )
        ]

    # ------------------------------------------------------------------ steps

    def _on_state(self, message: ServerMessage) -> list[Action]:
        self.game_id = message.game_id
        if message.type == "joined":
            self.player_id = str(message["player"]["player_id"])
        state: Mapping[str, Any] = message["state"]
        if state.get("your_score") is not None:
            self.score, self.rank = int(state["your_score"]), int(state["your_rank"])
            self.correct_total = int(state["your_correct"])
            if message.type == "resumed":
                self.resumed_scores.append(self.score)
        if state.get("status") == "ended":
            return self._ended(state)
        open_question = state.get("question")
        if state.get("status") != "question_open" or not isinstance(open_question, Mapping):
            self._open = None
            return []
        question = AskedQuestion.from_message(open_question["question"])
        if state.get("answered"):
            self.accepted.add(question.question_id)
        return self._ask(question, resumed=message.type == "resumed")

    def _ask(self, question: AskedQuestion, *, resumed: bool = False) -> list[Action]:
        self._open = question
        self._retries_left = self.settings.max_retries
        if question.question_id in self.accepted:
            return []
        tag = _ANSWER_TIMER + question.question_id
        if question.question_id in self.choices and resumed:
            return [SetTimer(0.0, tag)]  # already thought about it before the drop
        known = self.knowledge.get(question.question_id)
        choice = choose_answer(question, known, self.settings.accuracy, self.rng)
        self.choices.setdefault(question.question_id, choice)
        return [SetTimer(self.settings.think_time(self.rng), tag)]

    def _record_reveal(self, questions: Any) -> None:
        for revealed in questions:
            question_id = str(revealed["question_id"])
            self.revealed.add(question_id)
            yours = revealed.get("yours")
            if isinstance(yours, Mapping):  # null: this player did not answer it
                self.verdicts[question_id] = Verdict(bool(yours["correct"]), int(yours["points"]))

    def _take_you(self, you: Mapping[str, Any]) -> None:
        """This player's own line of the standings (sent to this player only)."""
        self.score, self.rank = int(you["score"]), int(you["rank"])
        self.correct_total = int(you["correct"])

    def _ended(self, standings: Mapping[str, Any]) -> list[Action]:
        self.final_scores = list(standings["scores"])
        self.final_players = int(standings["players"])
        return self._finish()

    def _on_error(self, message: ServerMessage) -> list[Action]:
        error = message.error()
        request = self._request_of(message)
        if request is None or request.action != "answer":
            if request is not None and request.action == "join_game":
                return self._finish(f"join:{error.code}", error.message)
            self.errors.append((error.code, error.message))
            return []
        question_id = str(request.fields["question_id"])
        if error.code == "already_answered":
            self.accepted.add(question_id)  # the first answer stands
            self.errors.append((error.code, question_id))
        elif error.code in LATE_CODES:
            self.late[question_id] = error.code
        elif (error.retryable or error.code in RETRYABLE_CODES) and self._retries_left > 0:
            self._retries_left -= 1
            return [SetTimer(RETRY_PAUSE_SECONDS, _ANSWER_TIMER + question_id)]
        else:
            self.errors.append((error.code, question_id))
        return []

    # ------------------------------------------------------------------ for the demo

    def intended_right(self, question_id: str) -> bool | None:
        choice = self.choices.get(question_id)
        return None if choice is None else choice.meant_right
