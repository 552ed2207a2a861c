"""A Mosquitto of the MQTT client tests' own: loopback, a free port, a minimal config.

Password users and an ACL file (the player policy of docs/mqtt.md, written as ACL patterns on
the client id); no persistence, so a restart drops every session. Holds no tests.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Coroutine, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from clients.sdk.mqtt_credentials import BrokerLogin, MqttCredentials

WAIT = 10.0
# What each player may do, pinned to their client id (= username = player id).
PLAYER_ACL = """pattern write trivia/live/players/%c/actions
pattern write trivia/live/hosts/%c/commands
pattern read trivia/live/players/%c/inbox
pattern read trivia/live/games/+/events
"""

needs_mosquitto = pytest.mark.skipif(
    shutil.which("mosquitto") is None or shutil.which("mosquitto_passwd") is None,
    reason="mosquitto is not on PATH",
)


class Broker:
    def __init__(self, directory: Path, users: Mapping[str, str], services: tuple[str, ...]):
        self.directory = directory
        self.users = dict(users)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        passwords = directory / "passwords"
        for user, password in self.users.items():
            create = ["-c"] if not passwords.exists() else []
            command = ["mosquitto_passwd", *create, "-b", str(passwords), user, password]
            subprocess.run(command, check=True, capture_output=True)
        grants = "".join(f"user {name}\ntopic readwrite trivia/live/#\n" for name in services)
        (directory / "acl").write_text(PLAYER_ACL + grants)
        (directory / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"password_file {passwords}\n"
            f"acl_file {directory / 'acl'}\n"
            "persistence false\n"
            "user root\n"
        )

    def start(self) -> None:
        config = str(self.directory / "mosquitto.conf")
        with (self.directory / "mosquitto.log").open("ab") as log:
            self.process = subprocess.Popen(["mosquitto", "-c", config], stdout=log, stderr=log)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not listen on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=WAIT)
            self.process = None

    def credentials(self, user: str, password: str | None = None) -> MqttCredentials:
        login = BrokerLogin("127.0.0.1", self.port, user, password or self.users[user])
        return MqttCredentials(user, login)


def running_broker(
    directory: Path, users: Mapping[str, str], services: tuple[str, ...]
) -> Iterator[Broker]:
    """A started broker, stopped after: the body of each test module's ``broker`` fixture."""
    broker = Broker(directory, users, services)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(scenario: Coroutine[Any, Any, None], timeout: float = 60) -> None:
    """No asyncio plugin here: each test runs its scenario in a fresh loop, with a time limit."""
    asyncio.run(asyncio.wait_for(scenario, timeout=timeout))
