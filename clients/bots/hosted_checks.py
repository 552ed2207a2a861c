"""The hosted demo's verdict on one game, before and after the asynchronous writers.

From what the bots saw (no server access): everyone finished; every player is on the final
scoreboard, saw the same one, and their final score is the sum of their points in the reveals;
each answer the bot meant to be right (or wrong) was judged so; every question was asked and
revealed. Then what the writers must show (checked by demo_checks.verify_writers): each
player's leaderboard score is their final score and their experience 10 per correct answer; the
demo's author, who owns the quiz and hosts the game, earns their players' experience twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from clients.bots.answering import score_of
from clients.bots.demo_checks import EXPERIENCE_PER_CORRECT_ANSWER, Expectations
from clients.bots.game_checks import (
    Problem,
    final_score,
    host_problems,
    player_errors,
    unfinished,
)
from clients.bots.hosted_host import HostBot
from clients.bots.hosted_player import PlayerBot


@dataclass(frozen=True)
class HostedExpectations(Expectations):
    @property
    def author_experience(self) -> int:
        # Credited once as the quiz's owner and once as the game's host (services/players).
        return 2 * sum(self.experience.values())


def game_problems(host: HostBot, players: Mapping[str, PlayerBot]) -> list[Problem]:
    """What is wrong with the game as the bots saw it (empty when right)."""
    problems = host_problems(host)
    asked = [question.question_id for question in host.asked]
    if len(asked) != host.question_count:
        problems.append(("questions_missing", f"asked {len(asked)} of {host.question_count}"))
    if sorted(host.revealed) != sorted(asked):
        problems.append(("reveal_mismatch", f"asked {asked}, revealed {host.revealed}"))
    for name, player in players.items():
        problems += _player_problems(host, name, player)
    return problems


def _player_problems(host: HostBot, name: str, player: PlayerBot) -> list[Problem]:
    if stopped := unfinished(name, player):
        return stopped
    problems = player_errors(name, player)
    problems += [(f"answer_refused:{code}", f"{name}: {qid}") for qid, code in player.late.items()]
    final, scoreboard = final_score(host.final_scores, name, player)
    problems += scoreboard
    if final is None:
        return problems
    if host.points[player.player_id or ""] != final or player.score != final:
        have = (host.points[player.player_id or ""], player.score)
        problems.append(("score_mismatch", f"{name}: reveals and own {have}, final {final}"))
    for question_id, verdict in player.verdicts.items():
        meant = player.intended_right(question_id)
        if meant is not None and verdict.correct != meant:
            problems.append(("verdict_mismatch", f"{name}: {question_id} judged {verdict}"))
    return problems


def writer_expectations(host: HostBot, players: Mapping[str, PlayerBot]) -> HostedExpectations:
    """Leaderboard scores and experience per username, for the players who finished."""
    scores: dict[str, int] = {}
    experience: dict[str, int] = {}
    for name, player in players.items():
        final = score_of(host.final_scores, player.player_id)
        if final is None or player.player_id is None:
            continue
        scores[name] = final
        experience[name] = EXPERIENCE_PER_CORRECT_ANSWER * host.correct[player.player_id]
    return HostedExpectations(scores=scores, experience=experience)
