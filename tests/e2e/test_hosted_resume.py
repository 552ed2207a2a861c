"""Kill player connections mid-game: they reconnect with a fresh connection, send `resume` with
the last seq they saw, and finish the game in the same seat with their scores intact
(QUALITY.md, WebSocket: "disconnect, reconnect [same game, same score, current question]")."""

from __future__ import annotations

import asyncio

import pytest

from clients.bots.demo_hosted import HostedDemoSettings, Table, run_hosted_demo
from clients.bots.demo_single import DemoSettings
from clients.bots.hosted_host import HostBot
from clients.bots.hosted_player import PlayerBot
from clients.sdk.endpoints import Endpoints

pytestmark = pytest.mark.e2e

# A wait, not a time limit. Concurrent answers can give the last answer_progress a lower seq
# than an earlier one; the host drops it as stale and that question runs to its 20 s deadline.
HOOK_TIMEOUT_SECONDS = 180
PLAYERS = 12
DROPPED = 4
# Long enough that a victim is cut off after seeing the second question and before answering.
THINK_MS = (300, 500)


def test_players_cut_off_mid_question_resume_and_keep_their_scores(
    local_cloud: Endpoints,
) -> None:
    before_drop: dict[str, int] = {}
    dropped: dict[str, PlayerBot] = {}

    async def cut_some_players(table: Table, host: HostBot, players: dict[str, PlayerBot]) -> None:
        victims = {bot.username: socket for bot, socket in table.players[:DROPPED]}
        async with asyncio.timeout(HOOK_TIMEOUT_SECONDS):
            while len(dropped) < len(victims):
                for name, socket in victims.items():
                    player = players[name]
                    # q1 revealed and scored; q2 on screen, not answered yet.
                    if name not in dropped and "q2" in player.choices:
                        before_drop[name] = player.points
                        dropped[name] = player
                        await socket.drop()
                await asyncio.sleep(0.001)

    settings = HostedDemoSettings(
        demo=DemoSettings(
            players=PLAYERS, accuracy=0.8, think_ms=THINK_MS, seed=5, verify_timeout=180
        ),
        mode="casual",
        questions=3,
    )
    report = asyncio.run(run_hosted_demo(local_cloud, settings, during_game=cut_some_players))
    assert report.errors == 0, dict(report.error_samples)
    assert report.plays == PLAYERS
    assert len(dropped) == DROPPED
    for name, player in dropped.items():
        assert player.reconnects >= 1, name
        assert player.resumed_scores[0] == before_drop[name], name  # same seat, same score
        assert "q2" in player.accepted and "q2" in player.verdicts, name  # the current question
        assert player.done is not None and player.done.ok
        assert player.score == player.points >= before_drop[name]  # final = its reveals


def test_a_host_cut_off_after_a_reveal_resumes_and_finishes_the_game(
    local_cloud: Endpoints,
) -> None:
    hosts: list[HostBot] = []

    async def cut_the_host(table: Table, host: HostBot, players: dict[str, PlayerBot]) -> None:
        hosts.append(host)
        async with asyncio.timeout(HOOK_TIMEOUT_SECONDS):
            while not host.revealed:  # the scoreboard it asks for next is in flight
                await asyncio.sleep(0.001)
        await table.host[1].drop()

    settings = HostedDemoSettings(
        demo=DemoSettings(players=5, accuracy=0.8, think_ms=(0, 100), seed=6, verify_timeout=180),
        mode="competitive",
        questions=4,
    )
    report = asyncio.run(run_hosted_demo(local_cloud, settings, during_game=cut_the_host))
    assert report.errors == 0, dict(report.error_samples)
    [host] = hosts
    asked = sorted(question.question_id for question in host.asked)
    assert host.reconnects >= 1
    assert len(asked) == 4 and sorted(host.revealed) == asked
    assert report.plays == 5
