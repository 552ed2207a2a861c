"""One contract, two notifiers: the in-memory fake and the real broadcaster (boto3's
``apigatewaymanagementapi`` over a loopback @connections API). Same assertions for both."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from services.hosted.broadcast import Broadcaster, ManagementApiPusher
from services.hosted.memory import RecordingNotifier
from services.hosted.ports import ConnectionRecord, Notifier
from tests.integration.test_hosted_broadcast import (  # noqa: F401 (fixtures)
    LoopbackConnections,
    _client,
    connections,
    loopback,
)

pytestmark = pytest.mark.integration


@dataclass
class Subject:
    notifier: Notifier
    received: Callable[[str], list[dict[str, Any]]]
    kill: Callable[[str], None]


@pytest.fixture(params=["fake", "broadcaster"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "fake":
        fake = RecordingNotifier()
        yield Subject(fake, lambda c: fake.sent.get(c, []), fake.gone.add)
        return
    server: LoopbackConnections = request.getfixturevalue("loopback")
    records = request.getfixturevalue("connections")
    for n in range(5):
        records.add(ConnectionRecord(f"c{n}=", "p", "u", 2_000_000_000, 1))
    yield Subject(
        Broadcaster(ManagementApiPusher(_client(server.url)), records),
        lambda c: [json.loads(raw) for raw in server.received.get(c, [])],
        server.dead.add,
    )


def test_every_live_connection_receives_the_message_once(subject: Subject) -> None:
    message = {"type": "scoreboard", "game_id": "g1", "seq": 3, "scores": []}
    report = subject.notifier.send(["c0=", "c1=", "c2=", "c1="], message)
    assert sorted(report.sent) == ["c0=", "c1=", "c2="] and report.gone == ()
    for connection in ("c0=", "c1=", "c2="):
        assert subject.received(connection) == [message]
    assert subject.received("c3=") == []


def test_gone_connections_are_reported_and_skipped(subject: Subject) -> None:
    subject.kill("c1=")
    report = subject.notifier.send(["c0=", "c1="], {"type": "x"})
    assert report.gone == ("c1=",) and report.sent == ("c0=",)
    assert subject.received("c1=") == []
