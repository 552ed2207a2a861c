"""``LiveConnection`` against a real Mosquitto of its own (loopback, a free port, minimal config).

The broker has two password users: ``p1`` with the player policy's topics (docs/mqtt.md) as
ACL patterns, and ``svc`` standing in for the service (every live topic). Restarting the broker
drops every session, which is what the reconnect test needs.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from clients.sdk.mqtt import LiveConnection
from clients.sdk.mqtt_errors import BrokerRefused, BrokerUnreachable, OperationRefused
from clients.sdk.mqtt_messages import LiveMessage
from tests.integration.test_mqtt_client_support import (
    WAIT,
    Broker,
    needs_mosquitto,
    run,
    running_broker,
)

pytestmark = [pytest.mark.integration, needs_mosquitto]

PLAYER, SERVICE = "p1", "svc"
PASSWORDS = {PLAYER: "player-secret", SERVICE: "service-secret"}
EVENTS = "trivia/live/games/g1/events"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    yield from running_broker(tmp_path, PASSWORDS, services=(SERVICE,))


@asynccontextmanager
async def connected(broker: Broker) -> AsyncIterator[tuple[LiveConnection, LiveConnection]]:
    player = LiveConnection(broker.credentials(PLAYER))
    service = LiveConnection(broker.credentials(SERVICE))
    await player.connect()
    await service.connect()
    try:
        yield player, service
    finally:
        await player.close()
        await service.close()


async def _broadcast(service: LiveConnection, seq: int, kind: str = "question") -> None:
    await service.publish(EVENTS, {"type": kind, "game_id": "g1", "seq": seq})


async def _drain(connection: LiveConnection, count: int) -> list[LiveMessage]:
    return [await connection.receive(timeout=WAIT) for _ in range(count)]


def _listen(broker: Broker, topic_filter: str, count: int) -> subprocess.Popen[str]:
    """The service's side of player actions: ``mosquitto_sub`` prints ``topic payload``."""
    command = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-V", "mqttv5"]
    command += ["-u", SERVICE, "-P", PASSWORDS[SERVICE], "-i", "listener", "-q", "1"]
    command += ["-t", topic_filter, "-C", str(count), "-W", str(int(WAIT)), "-v"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def test_actions_reach_the_service_and_its_replies_reach_the_player(broker: Broker) -> None:
    listener = _listen(broker, "trivia/live/+/p1/#", 2)
    time.sleep(0.5)  # let it subscribe

    async def scenario() -> None:
        async with connected(broker) as (player, service):
            await player.watch_game("g1")
            request_id = await player.send_action("join_game", game_id="g1")
            assert await player.send_command("open_game", request_id="o-1", quiz_id="z") == "o-1"
            out, _ = await asyncio.to_thread(listener.communicate, timeout=WAIT)
            lines = [line.split(" ", 1) for line in out.splitlines()]
            assert [topic for topic, _ in lines] == [
                "trivia/live/players/p1/actions",
                "trivia/live/hosts/p1/commands",
            ]
            assert json.loads(lines[0][1]) == {
                "action": "join_game",
                "request_id": request_id,
                "game_id": "g1",
            }
            reply = {"type": "joined", "game_id": "g1", "request_id": request_id, "scores": []}
            await service.publish("trivia/live/players/p1/inbox", reply)
            await _broadcast(service, 1, "player_joined")
            joined, announced = await _drain(player, 2)
            assert (joined.type, joined.request_id, joined.is_broadcast) == (
                "joined",
                request_id,
                False,
            )
            assert (announced.type, announced.seq, announced.is_broadcast) == (
                "player_joined",
                1,
                True,
            )
            assert announced.received_at > 0

    run(scenario())


def test_duplicate_and_stale_broadcasts_are_dropped(broker: Broker) -> None:
    async def scenario() -> None:
        async with connected(broker) as (player, service):
            await player.watch_game("g1")
            for seq in (1, 1, 3, 2, 4):
                await _broadcast(service, seq)
            assert [m.seq for m in await _drain(player, 3)] == [1, 3, 4]
            assert player.dropped == 2 and player.last_seq("g1") == 4
            with pytest.raises(TimeoutError):
                await player.receive(timeout=0.3)

    run(scenario())


def test_the_iterator_yields_messages_and_ends_on_close(broker: Broker) -> None:
    async def scenario() -> None:
        async with connected(broker) as (player, service):
            await player.watch_game("g1")
            await _broadcast(service, 1)
            await _broadcast(service, 2)
            seen: list[int | None] = []
            async for message in player:
                seen.append(message.seq)
                if len(seen) == 2:
                    await player.close()
            assert seen == [1, 2]
            with pytest.raises(BrokerUnreachable):
                await player.receive(timeout=1)

    run(scenario())


def test_a_wrong_password_is_refused(broker: Broker) -> None:
    async def scenario() -> None:
        intruder = LiveConnection(broker.credentials(PLAYER, "wrong"))
        with pytest.raises(BrokerRefused) as refused:
            await intruder.connect()
        assert refused.value.code == "not_authorized"
        assert not intruder.connected

    run(scenario())


def test_a_publish_the_policy_forbids_is_refused(broker: Broker) -> None:
    async def scenario() -> None:
        async with connected(broker) as (player, _):
            with pytest.raises(OperationRefused) as refused:
                await player.publish(EVENTS, {"type": "winner", "game_id": "g1", "seq": 99})
            assert refused.value.code == "not_authorized"

    run(scenario())


def test_no_broker_means_unreachable(broker: Broker) -> None:
    broker.stop()

    async def scenario() -> None:
        lonely = LiveConnection(broker.credentials(PLAYER))
        with pytest.raises(BrokerUnreachable):
            await lonely.connect(timeout=1.0)

    run(scenario())


def test_after_a_broker_restart_it_reconnects_and_subscribes_again(broker: Broker) -> None:
    async def scenario() -> None:
        async with connected(broker) as (player, service):
            back = asyncio.Event()
            player.on_reconnect = back.set
            await player.watch_game("g1")
            await _broadcast(service, 1)
            assert [m.seq for m in await _drain(player, 1)] == [1]

            broker.stop()  # sessions and subscriptions are gone with it
            await asyncio.sleep(0.3)
            assert not player.connected
            pending = asyncio.create_task(player.send_action("join_game", game_id="g1"))
            broker.start()
            await asyncio.wait_for(back.wait(), WAIT)
            assert player.connected and player.reconnects == 1
            await asyncio.wait_for(pending, WAIT)  # the QoS 1 publish waited for the broker

            for _ in range(int(WAIT / 0.1)):  # the service reconnects on its own schedule
                if service.connected:
                    break
                await asyncio.sleep(0.1)
            inbox = "trivia/live/players/p1/inbox"
            await service.publish(inbox, {"type": "verdict", "game_id": "g1"})
            await _broadcast(service, 1)  # stale: the seq count survives the reconnect
            await _broadcast(service, 2)
            got = await _drain(player, 2)
            assert sorted((m.type, m.seq or 0) for m in got) == [("question", 2), ("verdict", 0)]

    run(scenario())
