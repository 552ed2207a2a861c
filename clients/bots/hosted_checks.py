"""The hosted demo's verdict on one game, before and after the asynchronous writers.

From what the bots saw (no server access). No seat is sent everyone's answers or scores: each
gets the top 10 of the standings, how many players are ranked, each revealed question's counts
and, for a player, its own answers and line. So:

- the host and every player finished, without errors (``host:*``, ``player:*``,
  ``answer_refused:*``); every question was asked and revealed (``questions_missing``,
  ``reveal_mismatch``);
- every player saw the host's final standings: the same top 10, the same number ranked
  (``scoreboard_differs``); that number is the number of players who joined
  (``player_count_mismatch``);
- a player on the final top 10 is there with its own rank and score (``scoreboard_differs``);
  one is on it when its score beats the top's last line or the top lists every ranked player
  (``scoreboard_missing_player``);
- each player's final score is the sum of its points in the reveals (``score_mismatch``) and
  its correct answers as sent (``you.correct``) are its verdicts judged right
  (``correct_mismatch``), checked when it saw every reveal (one cut off while a reveal was sent
  never gets it);
- each answer the bot meant to be right (or wrong) was judged so (``verdict_mismatch``);
- once every player finished: each revealed question's counts (answered, answered correctly)
  are the players' own verdicts counted (``reveal_counts_mismatch``), and each player's rank is
  1 + the number of players with a higher final score (``rank_mismatch``).

Then what the writers must show (checked by demo_checks.verify_writers): each finished player's
leaderboard score is its final score and its experience 10 per correct answer it was sent
(``you.correct``, so a player that missed a reveal is still checked); the demo's
author, who owns the quiz and hosts the game, earns their players' experience twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clients.bots.demo_checks import EXPERIENCE_PER_CORRECT_ANSWER, Expectations
from clients.bots.game_checks import Problem, host_problems, player_errors, unfinished
from clients.bots.hosted_host import HostBot, RevealCounts
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
    problems += _player_count_problems(host, players)
    for name, player in players.items():
        problems += _player_problems(host, name, player)
    if all(_finished(player) for player in players.values()):
        problems += _reveal_count_problems(host, players)
        problems += _rank_problems(players)
    return problems


def _finished(player: PlayerBot) -> bool:
    return player.done is not None and player.done.ok


def _player_count_problems(host: HostBot, players: Mapping[str, PlayerBot]) -> list[Problem]:
    joined = sum(1 for player in players.values() if player.player_id is not None)
    if host.final_players is None or host.final_players == joined:
        return []  # None: the host saw no end, a problem of its own
    return [("player_count_mismatch", f"{host.final_players} ranked, {joined} players joined")]


def _player_problems(host: HostBot, name: str, player: PlayerBot) -> list[Problem]:
    if stopped := unfinished(name, player):
        return stopped
    problems = player_errors(name, player)
    problems += [(f"answer_refused:{code}", f"{name}: {qid}") for qid, code in player.late.items()]
    problems += _standings_problems(host, name, player)
    if player.revealed.issuperset(host.revealed):
        if player.score != player.points:
            what = f"{name}: reveals add up to {player.points}, final score {player.score}"
            problems.append(("score_mismatch", what))
        if player.correct_total != player.correct:
            what = f"{name}: {player.correct} right in the reveals, {player.correct_total} sent"
            problems.append(("correct_mismatch", what))
    for question_id, verdict in player.verdicts.items():
        meant = player.intended_right(question_id)
        if meant is not None and verdict.correct != meant:
            problems.append(("verdict_mismatch", f"{name}: {question_id} judged {verdict}"))
    return problems


def _standings_problems(host: HostBot, name: str, player: PlayerBot) -> list[Problem]:
    """The player saw the host's final standings, and its own line agrees with them."""
    seen = (player.final_scores, player.final_players)
    if seen != (host.final_scores, host.final_players):
        return [("scoreboard_differs", f"{name} saw other final standings")]
    top = player.final_scores or []
    line = next((line for line in top if line.get("player_id") == player.player_id), None)
    if line is None:
        if _belongs_on_top(player.score, top, player.final_players):
            return [("scoreboard_missing_player", f"{name} with {player.score}")]
        return []
    if (line.get("rank"), line.get("score")) != (player.rank, player.score):
        what = f"{name}: top line {line}, own rank {player.rank} and score {player.score}"
        return [("scoreboard_differs", what)]
    return []


def _belongs_on_top(
    score: int | None, top: Sequence[Mapping[str, Any]], ranked: int | None
) -> bool:
    """Whether a player with this final score must be on the top: the top lists every ranked
    player, or the score beats its last line (a tie with the last line may be left off)."""
    if not top or ranked is None or len(top) >= ranked:
        return True
    return score is not None and score > int(top[-1]["score"])


def _reveal_count_problems(host: HostBot, players: Mapping[str, PlayerBot]) -> list[Problem]:
    """Each revealed question's counts are the players' own verdicts on it counted; a question
    some player did not see revealed (cut off while it was sent, or joined later) is left out."""
    problems: list[Problem] = []
    for question_id, counts in host.reveal_counts.items():
        if not all(question_id in player.revealed for player in players.values()):
            continue
        verdicts = [p.verdicts[question_id] for p in players.values() if question_id in p.verdicts]
        seen = RevealCounts(len(verdicts), sum(1 for verdict in verdicts if verdict.correct))
        if seen != counts:
            what = f"{question_id}: the host saw {counts}, the players' verdicts {seen}"
            problems.append(("reveal_counts_mismatch", what))
    return problems


def _rank_problems(players: Mapping[str, PlayerBot]) -> list[Problem]:
    """Each player's final rank is 1 + the number of players with a higher final score."""
    finals = sorted((p.score for p in players.values() if p.score is not None), reverse=True)
    rank_of: dict[int, int] = {}
    for position, score in enumerate(finals, start=1):
        rank_of.setdefault(score, position)  # equal scores share the first one's rank
    problems: list[Problem] = []
    for name, player in players.items():
        expected = rank_of.get(player.score) if player.score is not None else None
        if player.rank != expected:
            what = f"{name}: rank {player.rank} with {player.score}, expected {expected}"
            problems.append(("rank_mismatch", what))
    return problems


def writer_expectations(players: Mapping[str, PlayerBot]) -> HostedExpectations:
    """Leaderboard scores and experience per username, for the players who finished."""
    scores: dict[str, int] = {}
    experience: dict[str, int] = {}
    for name, player in players.items():
        if not _finished(player) or player.score is None or player.correct_total is None:
            continue
        scores[name] = player.score
        experience[name] = EXPERIENCE_PER_CORRECT_ANSWER * player.correct_total
    return HostedExpectations(scores=scores, experience=experience)
