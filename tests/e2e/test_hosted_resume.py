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

PLAYERS = 12
DROPPED = 4


def test_players_cut_off_mid_game_resume_and_keep_their_scores(local_cloud: Endpoints) -> None:
    before_drop: dict[str, int] = {}
    dropped: dict[str, PlayerBot] = {}

    async def cut_some_players(table: Table, host: HostBot, players: dict[str, PlayerBot]) -> None:
        victims = [(bot.username, socket) for bot, socket in table.players[:DROPPED]]
        async with asyncio.timeout(60):
            # After the first scoreboard: each victim has a score to keep, and the next
            # question is on its way while they are gone.
            while any(players[name].score is None for name, _ in victims):
                await asyncio.sleep(0.01)
        for name, socket in victims:
            before_drop[name] = players[name].score or 0
            dropped[name] = players[name]
            await socket.drop()

    settings = HostedDemoSettings(
        demo=DemoSettings(
            players=PLAYERS, accuracy=0.8, think_ms=(0, 100), seed=5, verify_timeout=180
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
        assert player.done is not None and player.done.ok
        assert player.score == player.points >= before_drop[name]  # final = its reveals
