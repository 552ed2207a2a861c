"""The live demo's verdict on one game, before and after the asynchronous writers.

From what the bots saw (no server access): everyone finished; every question was asked and had
exactly one ``winner`` broadcast, which ``question_ended`` (when seen) confirms and which every
player saw alike; exactly one player was told ``correct`` for it, the winner; a bot that meant
to be right was told ``correct`` or ``not_first``, one that meant to be wrong ``incorrect``;
everyone saw the same final scoreboard, on which each player's score is the number of
questions they won.

Then what the writers must show (docs/mqtt.md, services/live): each player's leaderboard score
is their final score and their experience 10 per question won (``correct`` is the score); the
top scorers have one win on their profile; the demo's author, who owns the quiz and hosts the
game, earns their players' experience twice (as owner and as host).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from clients.bots.answering import score_of
from clients.bots.demo_checks import EXPERIENCE_PER_CORRECT_ANSWER, Expectations
from clients.bots.game_checks import (
    Problem,
    host_problems,
    player_errors,
    unfinished,
)
from clients.bots.live_host import LiveHost
from clients.bots.live_player import LivePlayer
from clients.sdk.client import TriviaClient
from clients.sdk.errors import TriviaError

MEANT_RIGHT = frozenset({"correct", "not_first"})


@dataclass(frozen=True)
class LiveExpectations(Expectations):
    wins: dict[str, int] = field(default_factory=dict)  # username -> wins on the profile

    @property
    def author_experience(self) -> int:
        # Credited once as the quiz's owner and once as the game's host (services/players).
        return 2 * sum(self.experience.values())


def questions_with_one_winner(host: LiveHost) -> int:
    return sum(
        1
        for question_id in host.asked
        if host.winner_broadcasts[question_id] == 1 and question_id in host.winners
    )


def game_problems(host: LiveHost, players: Mapping[str, LivePlayer]) -> list[Problem]:
    """What is wrong with the game as the bots saw it (empty when right)."""
    problems = _host_problems(host)
    told_correct: Counter[tuple[str, str]] = Counter()  # (question, player) told "correct"
    for name, player in players.items():
        problems += _player_problems(host, name, player)
        for question_id, verdict in player.verdicts.items():
            if verdict == "correct":
                told_correct[question_id, player.player_id] += 1
    for question_id in host.asked:
        winners = [player for (q, player) in told_correct if q == question_id]
        expected = [host.winners[question_id]] if question_id in host.winners else []
        if winners != expected:
            what = f"{question_id}: told correct {winners}, broadcast {expected}"
            problems.append(("verdict_winner_mismatch", what))
    return problems


def _host_problems(host: LiveHost) -> list[Problem]:
    problems = host_problems(host)
    if len(host.asked) != host.question_count:
        problems.append(("questions_missing", f"asked {len(host.asked)} of {host.question_count}"))
    for question_id in host.asked:
        count = host.winner_broadcasts[question_id]
        if count != 1:
            problems.append(("winner_count", f"{question_id}: {count} winner broadcasts"))
        ended = host.ended.get(question_id, host.winners.get(question_id))
        if ended != host.winners.get(question_id):
            problems.append(("question_ended_mismatch", f"{question_id}: ended with {ended}"))
    if host.final_scores is not None:
        total = sum(int(line.get("score", 0)) for line in host.final_scores)
        if total != len(host.winners):
            problems.append(("score_total", f"scores add up to {total}, {len(host.winners)} won"))
    return problems


def _player_problems(host: LiveHost, name: str, player: LivePlayer) -> list[Problem]:
    if stopped := unfinished(name, player):
        return stopped
    problems = player_errors(name, player)
    final, scoreboard = _final_score(host, name, player)
    problems += scoreboard
    if final is None:
        return problems
    won = sum(1 for winner in host.winners.values() if winner == player.player_id)
    if final != won:
        problems.append(("score_mismatch", f"{name}: won {won}, final score {final}"))
    for question_id, winner in player.winners.items():
        if winner is not None and winner != host.winners.get(question_id):
            problems.append(("winner_differs", f"{name}: {question_id} won by {winner}"))
    for question_id, verdict in player.verdicts.items():
        meant = player.intended_right(question_id)
        if meant is not None and (verdict in MEANT_RIGHT) != meant:
            problems.append(("verdict_mismatch", f"{name}: {question_id} judged {verdict}"))
    return problems


def _final_score(host: LiveHost, name: str, player: LivePlayer) -> tuple[int | None, list[Problem]]:
    """The player's final score: a live ``game_ended`` lists the players with points, so one
    not on it ended with 0 (None, with a problem, when the host saw no end)."""
    if host.final_scores is None:
        return None, [("scoreboard_missing", name)]
    final = score_of(host.final_scores, player.player_id)
    if player.final_scores != host.final_scores:
        return final or 0, [("scoreboard_differs", f"{name} saw another final scoreboard")]
    return final or 0, []


def writer_expectations(host: LiveHost, players: Mapping[str, LivePlayer]) -> LiveExpectations:
    """Leaderboard scores, experience and wins per username, for the players on the scoreboard."""
    finals = {name: _final_score(host, name, player)[0] for name, player in players.items()}
    scores = {name: final for name, final in finals.items() if final is not None}
    top = max(scores.values(), default=0)
    return LiveExpectations(
        scores=scores,
        experience={name: EXPERIENCE_PER_CORRECT_ANSWER * score for name, score in scores.items()},
        wins={name: int(top > 0 and score == top) for name, score in scores.items()},
    )


async def wins_problems(
    players: Mapping[str, TriviaClient], expected: LiveExpectations, *, concurrency: int
) -> list[Problem]:
    """Each profile's wins, read once: run it after ``verify_writers`` found the experience
    there, which the progress writer credits in the same write."""
    gate = asyncio.Semaphore(concurrency)

    async def check(name: str, client: TriviaClient) -> Problem | None:
        async with gate:
            try:
                have = (await client.get_profile()).get("wins")
            except TriviaError as error:
                return ("wins_mismatch", f"{name}: could not check: {error}")
        want = expected.wins.get(name, 0)
        return None if have == want else ("wins_mismatch", f"{name}: wins {have}, expected {want}")

    outcomes = await asyncio.gather(*(check(name, client) for name, client in players.items()))
    return [problem for problem in outcomes if problem is not None]
