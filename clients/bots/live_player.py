"""The live-game player bot's brain (Sans-I/O; events and actions in ``live.py``).

Flow: ``Begin`` -> ``Watch`` the game's broadcast; ``Watching`` -> ``join_game``; inbox
``joined`` brings the scoreboard and the open question, if any; each ``question`` -> think
(``SetTimer``) -> ``answer``, unless the question has a winner or closed meanwhile (a real
player stops typing once someone has won); ``verdict`` (inbox) and ``winner`` /
``question_ended`` (broadcast) are recorded; ``game_ended`` -> ``Done``.

The answer to a question is chosen once (``choose_answer``: right with probability
``accuracy`` when the answer key knows it, a guess otherwise) and kept: a retry or a resend
after a reconnect sends the same answer, which the service answers with the first verdict.
An answer refused because the question closed first (``question_not_open``,
``deadline_passed``) is recorded as late, not as an error: the host moves on as soon as
someone wins, so a slow answer can cross the next question. After a reconnect the bot joins
again, which brings the current state back.
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
    score_of,
)
from clients.bots.live import RETRYABLE_CODES, Action, LiveSeat, SendFailed, Watch, player_of
from clients.bots.seat import RETRY_PAUSE_SECONDS, SetTimer
from clients.sdk.mqtt_messages import LiveMessage

# The answer was refused because the question was over for everyone.
LATE_CODES = frozenset({"question_not_open", "deadline_passed"})
VERDICTS = frozenset({"correct", "incorrect", "not_first"})
_ANSWER_TIMER = "answer:"


@dataclass(frozen=True)
class PlayerSettings(AnswerSettings):
    """Accuracy, think time per question (drawn uniformly), retries; and whether to answer
    once somebody has won."""

    answer_after_winner: bool = False


class LivePlayer(LiveSeat):
    prefix = "p"
    topic = "action"

    def __init__(
        self,
        settings: PlayerSettings,
        rng: random.Random,
        game_id: str,
        player_id: str,
        knowledge: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.rng = rng
        self.game_id = game_id
        self.player_id = player_id
        self.knowledge: Mapping[str, str] = knowledge or {}
        self.joined = False
        self.choices: dict[str, Choice] = {}  # question id -> the answer chosen
        self.sent: set[str] = set()  # questions whose answer was sent
        self.verdicts: dict[str, str] = {}  # question id -> correct / incorrect / not_first
        self.winners: dict[str, str | None] = {}  # question id -> winner, as broadcast
        self.late: dict[str, str] = {}  # question id -> why the answer was refused
        self.score: int | None = None
        self.final_scores: list[Mapping[str, Any]] | None = None
        self._open: AskedQuestion | None = None
        self._retries_left = settings.max_retries

    # ------------------------------------------------------------------ events

    def _begin(self) -> list[Action]:
        return [Watch(self.game_id or "")]

    def _on_watching(self, game_id: str) -> list[Action]:
        return [self._send("join_game", game_id=self.game_id)]

    def _on_reconnected(self) -> list[Action]:
        return [self._send("join_game", game_id=self.game_id)]  # brings the state back

    def _on_message(self, message: LiveMessage) -> list[Action]:
        kind = message.type
        if kind == "joined":
            return self._joined(message)
        if kind == "question":
            return self._ask(AskedQuestion.from_message(message["question"]))
        if kind == "verdict":
            self._verdict(message)
        elif kind == "winner":
            self._winner(str(message["question_id"]), player_of(message["winner"]))
            # a winner's and a join's scores list the players with points: absent is 0
            self.score = score_of(message.get("scores"), self.player_id) or 0
        elif kind == "question_ended":
            self._winner(str(message["question_id"]), player_of(message.get("winner")))
            if self._is_open(str(message["question_id"])):
                self._open = None
        elif kind == "game_ended":
            return self._ended(message["scores"])
        elif kind == "error":
            return self._on_error(message)
        return []  # player_joined, game_started and anything newer: nothing to do

    def _on_timer(self, tag: str) -> list[Action]:
        if not tag.startswith(_ANSWER_TIMER):
            return []
        question_id = tag.removeprefix(_ANSWER_TIMER)
        if not self._is_open(question_id) or question_id in self.sent:
            return []  # closed meanwhile, or answered
        if question_id in self.winners and not self.settings.answer_after_winner:
            return []  # somebody won while this bot was thinking
        self.sent.add(question_id)
        answer = self.choices[question_id].answer
        fields = {"game_id": self.game_id, "question_id": question_id, "answer": answer}
        return [self._send("answer", **fields)]

    def _on_send_failed(self, failed: SendFailed) -> list[Action]:
        request = self._requests.get(failed.request_id)
        if request is None or request.action != "answer":
            return super()._on_send_failed(failed)
        return self._retry_answer(str(request.fields["question_id"]), failed.code, failed.message)

    # ------------------------------------------------------------------ steps

    def _joined(self, message: LiveMessage) -> list[Action]:
        self.joined = True
        self.score = score_of(message.get("scores"), self.player_id) or 0
        if message.get("status") == "ended":
            return self._ended(message.get("scores") or [])
        open_question = message.get("question")
        if not isinstance(open_question, Mapping):
            return []
        return self._ask(AskedQuestion.from_message(open_question["question"]))

    def _ask(self, question: AskedQuestion) -> list[Action]:
        self._open = question
        self._retries_left = self.settings.max_retries
        question_id = question.question_id
        if question_id in self.sent or question_id in self.verdicts:
            return []
        tag = _ANSWER_TIMER + question_id
        if question_id in self.choices:
            return [SetTimer(0.0, tag)]  # thought about it before a reconnect: send it now
        known = self.knowledge.get(question_id)
        self.choices[question_id] = choose_answer(question, known, self.settings.accuracy, self.rng)
        return [SetTimer(self.settings.think_time(self.rng), tag)]

    def _verdict(self, message: LiveMessage) -> None:
        verdict = str(message["verdict"])
        question_id = str(message["question_id"])
        if verdict not in VERDICTS:
            self.errors.append(("unknown_verdict", f"{question_id}: {verdict}"))
            return
        self.verdicts.setdefault(question_id, verdict)

    def _winner(self, question_id: str, winner: str | None) -> None:
        if winner is not None or question_id not in self.winners:
            self.winners[question_id] = winner

    def _ended(self, scores: Any) -> list[Action]:
        self.final_scores = list(scores)
        self.score = score_of(scores, self.player_id) or 0  # the players with points
        return self._finish()

    def _on_error(self, message: LiveMessage) -> list[Action]:
        error = message.error()
        request = self._request_of(message)
        if request is not None and request.action == "join_game":
            if (error.retryable or error.code in RETRYABLE_CODES) and self._retries_left > 0:
                self._retries_left -= 1
                return [self._send("join_game", game_id=self.game_id)]
            return self._finish(f"join:{error.code}", error.message)
        if request is None or request.action != "answer":
            self.errors.append((error.code, error.message))
            return []
        question_id = str(request.fields["question_id"])
        if error.code in LATE_CODES:
            self.late[question_id] = error.code
            return []
        if error.retryable or error.code in RETRYABLE_CODES:
            return self._retry_answer(question_id, error.code, error.message)
        self.errors.append((error.code, f"{question_id}: {error.message}"))
        return []

    def _retry_answer(self, question_id: str, code: str, message: str) -> list[Action]:
        if self._retries_left <= 0:
            self.errors.append((code, f"{question_id}: {message}"))
            return []
        self._retries_left -= 1
        self.sent.discard(question_id)
        return [SetTimer(RETRY_PAUSE_SECONDS, _ANSWER_TIMER + question_id)]

    def _is_open(self, question_id: str) -> bool:
        return self._open is not None and self._open.question_id == question_id

    # ------------------------------------------------------------------ for the checks

    def intended_right(self, question_id: str) -> bool | None:
        choice = self.choices.get(question_id)
        return None if choice is None else choice.meant_right
