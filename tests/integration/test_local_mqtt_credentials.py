"""Issuing player credentials on a private Mosquitto (``DynsecCredentials``): what each issue asks
of the broker (every changing command rewrites its whole security file), and that concurrent,
repeated and cross-process issues keep every player confined to their own topics."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.local import mosquitto
from services.live import topics
from services.live.dynsec import DynsecAdmin, DynsecCredentials
from services.live.mqtt_client import MqttConnection, MqttRefused

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not mosquitto.available(), reason=mosquitto.INSTALL_HINT),
]


class RecordingAdmin(DynsecAdmin):
    """The real admin, noting the command names of each control message it sends."""

    def __init__(self, broker: mosquitto.MosquittoProcess) -> None:
        super().__init__(broker.address, username="admin", password=broker.admin_password,
                         timeout=30)
        self.messages: list[list[str]] = []

    def execute(self, *commands: dict[str, Any]) -> list[dict[str, Any]]:
        self.messages.append([command["command"] for command in commands])
        return super().execute(*commands)


@pytest.fixture
def admin(broker: mosquitto.MosquittoProcess) -> Iterator[RecordingAdmin]:
    recording = RecordingAdmin(broker)
    try:
        yield recording
    finally:
        recording.close()


def issuer_on(broker: mosquitto.MosquittoProcess, admin: DynsecAdmin) -> DynsecCredentials:
    return DynsecCredentials(admin, host="127.0.0.1", port=broker.port, ws_url=None)


def connect(broker: mosquitto.MosquittoProcess, credentials: dict[str, Any], *,
            client_id: str | None = None) -> MqttConnection:
    return MqttConnection(broker.address, client_id=client_id or credentials["client_id"],
                          username=credentials["username"],
                          password=credentials["password"]).connect(5)


def assert_confined(connection: MqttConnection, me: str, other: str) -> None:
    assert connection.subscribe(topics.player_inbox(me)) == [True]
    assert connection.subscribe(topics.player_inbox(other)) == [False]
    assert connection.publish(topics.player_actions(me), b"{}")
    assert connection.publish(topics.player_actions(other), b"{}") is False
    assert connection.publish(topics.host_commands(other), b"{}") is False


def test_a_new_player_costs_two_changes_and_asking_again_one_that_rotates_the_password(
    broker: mosquitto.MosquittoProcess, admin: RecordingAdmin,
) -> None:
    issuer = issuer_on(broker, admin)
    first = issuer.issue("nina").body
    # the first issue of a process also makes sure the role all players share exists
    assert admin.messages == [["createRole", "createRole", "createClient"]]
    connect(broker, first).close()
    issuer.issue("omar")
    assert admin.messages[1:] == [["createRole", "createClient"]]

    second = issuer.issue("nina").body
    assert admin.messages[2:] == [["setClientPassword"]]
    assert second["password"] != first["password"]
    with pytest.raises(MqttRefused):
        connect(broker, first)
    nina = connect(broker, second)
    try:
        assert_confined(nina, "nina", "omar")
    finally:
        nina.close()


def test_another_process_issuing_again_keeps_the_role_and_pinned_client_id(
    broker: mosquitto.MosquittoProcess, admin: RecordingAdmin,
) -> None:
    earlier = issuer_on(broker, admin).issue("dora").body
    other_admin = RecordingAdmin(broker)
    try:
        later = issuer_on(broker, other_admin).issue("dora").body
        # neither the role nor the client is created twice: the password alone changes
        assert other_admin.messages == [["createRole", "createRole", "createClient"],
                                        ["setClientPassword"]]
    finally:
        other_admin.close()
    with pytest.raises(MqttRefused):
        connect(broker, earlier)
    with pytest.raises(MqttRefused):
        connect(broker, later, client_id="not-dora")
    dora = connect(broker, later)
    try:
        assert_confined(dora, "dora", "nina")
    finally:
        dora.close()


def test_a_known_player_the_broker_forgot_is_created_again(
    broker: mosquitto.MosquittoProcess, admin: RecordingAdmin,
) -> None:
    issuer = issuer_on(broker, admin)
    issuer.issue("fred")
    client = admin.execute({"command": "getClient", "username": "fred"})[0]["data"]["client"]
    assert {role["rolename"] for role in client["roles"]} == {
        topics.PLAYERS_ROLE, topics.PlayerPolicy("fred").role_name}
    # what a restarted broker (a fresh security file) looks like to this process
    admin.execute({"command": "deleteClient", "username": "fred"},
                  {"command": "deleteRole", "rolename": topics.PlayerPolicy("fred").role_name})
    admin.messages.clear()

    fresh = issuer.issue("fred").body
    assert admin.messages == [["setClientPassword"], ["createRole", "createClient"]]
    fred = connect(broker, fresh)
    try:
        assert_confined(fred, "fred", "dora")
    finally:
        fred.close()


def test_concurrent_issues_all_succeed_and_each_player_reaches_only_their_topics(
    broker: mosquitto.MosquittoProcess, admin: RecordingAdmin,
) -> None:
    issuer = issuer_on(broker, admin)
    players = [f"crowd-{n:02d}" for n in range(24)]
    with ThreadPoolExecutor(16) as pool:
        issued = list(pool.map(lambda player_id: issuer.issue(player_id).body, players))
    assert len({credentials["password"] for credentials in issued}) == len(players)
    for index, credentials in enumerate(issued):
        me, other = players[index], players[(index + 1) % len(players)]
        assert credentials["username"] == credentials["client_id"] == me
        connection = connect(broker, credentials)
        try:
            assert_confined(connection, me, other)
        finally:
            connection.close()


def test_a_control_round_trip_does_not_wait_for_a_delayed_ack(
    admin: RecordingAdmin,
) -> None:
    """``set_tcp_nodelay``: with Nagle on, each round trip took ~44 ms (the delayed ACK)."""
    durations = []
    for _ in range(15):
        start = time.perf_counter()
        admin.execute({"command": "getDefaultACLAccess"})
        durations.append(time.perf_counter() - start)
    assert statistics.median(durations) < 0.02
