"""The broadcaster against a loopback @connections server through boto3's
``apigatewaymanagementapi`` client (QUALITY.md, "WebSocket": 50 connections, 10 dead)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from aiohttp import web
from moto import mock_aws

from infra.wiring import load_template
from services.hosted.broadcast import Broadcaster, ManagementApiPusher
from services.hosted.dynamo import DynamoConnections
from services.hosted.errors import PlayerDisconnected
from services.hosted.ports import ConnectionRecord

pytestmark = pytest.mark.integration

REGION = "us-east-1"
PUSH_DELAY_SECONDS = 0.05


@dataclass
class LoopbackConnections:
    """@connections on loopback: records pushes, answers 410 for dead ids, 500 for broken."""

    dead: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)
    received: dict[str, list[bytes]] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    url: str = ""
    in_flight: int = 0
    peak_in_flight: int = 0

    async def post(self, request: web.Request) -> web.Response:
        connection_id = request.match_info["id"]
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(PUSH_DELAY_SECONDS)  # a slow-ish network: pushes overlap
        finally:
            self.in_flight -= 1
        if connection_id in self.dead:
            return web.json_response({"message": "Gone"}, status=410,
                                     headers={"x-amzn-ErrorType": "GoneException"})
        if connection_id in self.broken:
            return web.json_response({"message": "boom"}, status=400,
                                     headers={"x-amzn-ErrorType": "BadRequestException"})
        self.received.setdefault(connection_id, []).append(await request.read())
        return web.Response(status=200)

    async def delete(self, request: web.Request) -> web.Response:
        self.closed.append(request.match_info["id"])
        return web.Response(status=204)


@pytest.fixture
def loopback() -> Iterator[LoopbackConnections]:
    server = LoopbackConnections()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner_box: list[web.AppRunner] = []

    async def start() -> None:
        app = web.Application()
        app.router.add_post("/live/@connections/{id}", server.post)
        app.router.add_delete("/live/@connections/{id}", server.delete)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        server.url = f"http://127.0.0.1:{runner.addresses[0][1]}/live"
        runner_box.append(runner)
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop)
    assert ready.wait(10)
    yield server
    asyncio.run_coroutine_threadsafe(runner_box[0].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def connections() -> Iterator[DynamoConnections]:
    with mock_aws():
        declared = load_template().resources["ConnectionsTable"]["Properties"]
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(TableName="connections", KeySchema=declared["KeySchema"],
                              AttributeDefinitions=declared["AttributeDefinitions"],
                              BillingMode="PAY_PER_REQUEST")
        yield DynamoConnections(dynamodb, "connections")


def _client(url: str) -> Any:
    return boto3.session.Session().client(
        "apigatewaymanagementapi", region_name=REGION, endpoint_url=url,
        aws_access_key_id="testing", aws_secret_access_key="testing")


def _ids(count: int) -> list[str]:
    return [f"conn{n:03d}=" for n in range(count)]


def test_fifty_connections_ten_dead_forty_receive_and_ten_records_are_deleted(
        loopback: LoopbackConnections, connections: DynamoConnections) -> None:
    ids = _ids(50)
    loopback.dead = set(ids[::5])  # 10 dead
    for connection_id in ids:
        connections.add(ConnectionRecord(connection_id, "p", "u", 2_000_000_000, 1))
    broadcaster = Broadcaster(ManagementApiPusher(_client(loopback.url)), connections,
                              max_workers=32)
    report = broadcaster.send(ids, {"type": "scoreboard", "game_id": "g1", "seq": 1,
                                    "scores": []})
    assert sorted(report.gone) == sorted(loopback.dead) and report.failed == ()
    assert sorted(report.sent) == sorted(set(ids) - loopback.dead)
    assert sorted(loopback.received) == sorted(set(ids) - loopback.dead)
    assert all(messages == [b'{"type":"scoreboard","game_id":"g1","seq":1,"scores":[]}']
               for messages in loopback.received.values())
    for connection_id in ids:
        present = connections.get(connection_id) is not None
        assert present == (connection_id not in loopback.dead)
    # concurrent, not one by one: many pushes were in flight at once
    assert loopback.peak_in_flight >= 8


def test_one_failing_push_does_not_stop_the_others(loopback: LoopbackConnections,
                                                   connections: DynamoConnections) -> None:
    ids = _ids(10)
    loopback.broken = {ids[3]}
    for connection_id in ids:
        connections.add(ConnectionRecord(connection_id, "p", "u", 2_000_000_000, 1))
    broadcaster = Broadcaster(ManagementApiPusher(_client(loopback.url)), connections)
    report = broadcaster.send(ids, {"type": "x"})
    assert report.failed == (ids[3],) and len(report.sent) == 9
    assert connections.get(ids[3]) is not None  # only a 410 deletes a record


def test_gone_is_a_domain_error_and_close_deletes(loopback: LoopbackConnections,
                                                   connections: DynamoConnections) -> None:
    loopback.dead = {"gone="}
    pusher = ManagementApiPusher(_client(loopback.url))
    with pytest.raises(PlayerDisconnected):
        pusher.push("gone=", b"{}")
    connections.add(ConnectionRecord("alive=", "p", "u", 2_000_000_000, 1))
    Broadcaster(pusher, connections).close("alive=")
    assert loopback.closed == ["alive="]
    assert connections.get("alive=") is None
