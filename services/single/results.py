"""What a submitted play reports: the Result returned to the player, and the ``PlayerResult``
event fanned out to the leaderboard and progress writers."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.events import PlayerResult
from services.single.plays import Play, Submission
from services.single.scoring import AnswerLine, answerboard


@dataclass(frozen=True)
class PlayResult:
    play_id: str
    quiz_id: str
    score: int
    correct: int
    total: int
    ranked: bool
    experience: int
    answerboard: tuple[AnswerLine, ...]


def result_of(play: Play) -> PlayResult:
    submission = submitted(play)
    return PlayResult(
        play_id=play.play_id,
        quiz_id=play.quiz_id,
        score=submission.score,
        correct=submission.correct,
        total=submission.total,
        ranked=submission.ranked,
        experience=submission.experience,
        answerboard=answerboard(play, submission.answers),
    )


def player_result(play: Play) -> PlayerResult:
    """The event for a submitted play; the same play always gives the same message."""
    submission = submitted(play)
    return PlayerResult(
        source="single",
        game_id=play.play_id,
        quiz_id=play.quiz_id,
        quiz_owner_id=play.quiz_owner_id,
        player_id=play.player_id,
        username=play.username,
        score=submission.score,
        correct=submission.correct,
        total=submission.total,
        experience=submission.experience,
        ranked=submission.ranked,
        completed_at=submission.submitted_at,
        credit_owner_and_host=True,  # a play has no game end: the owner is credited per play
    )


def submitted(play: Play) -> Submission:
    if play.submission is None:
        raise ValueError(f"play {play.play_id} has not been submitted")
    return play.submission
