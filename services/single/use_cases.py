"""Single-player use cases: list the games, start a play, submit its answers, read it back.

Rules (PRODUCT.md, "Single player"; QUALITY.md, "Duplicates and races"):
- questions reach the player without answers; the play records when it started (server clock);
- the server scores; the first completed play of a quiz per player is ranked, replays are not;
- one submission per play: the same answers again return the first result (and publish it
  again, for the idempotent writers); different answers are refused, the result unchanged;
- only the player who started a play can see or submit it (others get 404, not 403).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from services.core.errors import (
    AlreadySubmitted,
    PlayNotFound,
    QuizNotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from services.quizzes.model import Mode, Quiz
from services.single.plays import (
    Play,
    PlayAlreadySubmitted,
    PlayQuestion,
    QuizAlreadyCompleted,
    Submission,
    timestamp,
)
from services.single.ports import Clock, ListedQuiz, PlayStore, QuizSource, ResultPublisher
from services.single.results import PlayResult, player_result, result_of, submitted
from services.single.scoring import grade


@dataclass(frozen=True)
class PlayServices:
    quizzes: QuizSource
    plays: PlayStore
    publisher: ResultPublisher
    clock: Clock
    new_play_id: Callable[[], str]


@dataclass(frozen=True)
class ListGames:
    category: str | None = None


@dataclass(frozen=True)
class StartPlay:
    quiz_id: str
    player_id: str
    username: str


@dataclass(frozen=True)
class SubmitAnswers:
    play_id: str
    player_id: str
    answers: tuple[tuple[str, str], ...]  # (question_id, answer), each question at most once


@dataclass(frozen=True)
class GetPlay:
    play_id: str
    player_id: str


def list_games(services: PlayServices, command: ListGames) -> Sequence[ListedQuiz]:
    return services.quizzes.list_listed(Mode.SINGLE, command.category)


def start_play(services: PlayServices, command: StartPlay) -> Play:
    quiz = services.quizzes.get(command.quiz_id)
    if quiz is None or not quiz.active or quiz.document.mode != Mode.SINGLE:
        raise QuizNotFound("there is no active single-player quiz with this id")
    play = Play(
        play_id=services.new_play_id(),
        player_id=command.player_id,
        username=command.username,
        quiz_id=quiz.quiz_id,
        quiz_owner_id=quiz.owner_id,
        started_at=timestamp(services.clock()),
        questions=snapshot(quiz),
    )
    services.plays.add(play)
    return play


def snapshot(quiz: Quiz) -> tuple[PlayQuestion, ...]:
    return tuple(
        PlayQuestion(question_id=qid, question=question)
        for qid, question in zip(quiz.question_ids, quiz.document.questions, strict=True)
    )


def get_play(services: PlayServices, command: GetPlay) -> Play:
    return _own_play(services.plays, command.play_id, command.player_id)


def submit_answers(services: PlayServices, command: SubmitAnswers) -> PlayResult:
    play = _own_play(services.plays, command.play_id, command.player_id)
    answers = _answers_to(play, command.answers)
    if play.submission is None:
        play = _record(services, play, answers)
    if dict(submitted(play).answers) != answers:
        raise AlreadySubmitted("this play was submitted already, with other answers")
    # Published on every accepted submission, repeats included: if an earlier publish failed,
    # resubmitting the same answers delivers the result; the writers ignore duplicates.
    services.publisher.publish(player_result(play))
    return result_of(play)


def _own_play(plays: PlayStore, play_id: str, player_id: str) -> Play:
    play = plays.get(play_id)
    if play is None or play.player_id != player_id:
        raise PlayNotFound("you have no play with this id")
    return play


def _answers_to(play: Play, pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    answers = dict(pairs)
    if len(answers) != len(pairs):
        raise ValidationFailed("each question may be answered at most once")
    unknown = sorted(set(answers) - play.question_ids)
    if unknown:
        raise ValidationFailed(
            "answers name questions that are not in this play",
            details={"unknown_question_ids": unknown},
        )
    return answers


def _record(services: PlayServices, play: Play, answers: Mapping[str, str]) -> Play:
    submission = grade(play, answers, submitted_at=timestamp(services.clock()))
    try:
        return play.with_submission(_store(services.plays, play, submission))
    except PlayAlreadySubmitted:
        # Another request submitted this play between our read and our write: its result
        # stands, and the caller's answers are compared with it like any resubmission.
        return _reload_submitted(services.plays, play.play_id)


def _store(plays: PlayStore, play: Play, submission: Submission) -> Submission:
    """Ranked when this is the player's first completed play of the quiz, else unranked."""
    try:
        plays.record_first_completion(play, submission)
        return submission
    except QuizAlreadyCompleted:
        unranked = submission.unranked()
        plays.record_submission(play, unranked)
        return unranked


def _reload_submitted(plays: PlayStore, play_id: str) -> Play:
    play = plays.get(play_id)
    if play is None or play.submission is None:
        raise ServiceUnavailable("the play changed while it was being submitted; try again")
    return play
