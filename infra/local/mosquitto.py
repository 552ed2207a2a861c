"""Mosquitto for the local cloud (AWS IoT Core's stand-in), with its dynamic-security plugin.

Two listeners on 127.0.0.1 (MQTT over TCP and over websockets; ``socket_domain ipv4``, without
which the websockets listener ignores the bind address), anonymous access off, no persistence,
no retained messages (``retain_available false``: on AWS the player policy grants no
``iot:RetainPublish``), and ``set_tcp_nodelay true``: with Nagle's algorithm on, the broker's
small writes waited for the client's delayed ACK (~40 ms), a 44 ms floor under every
dynamic-security round trip (0.1 ms without). The dynamic-security file is written before
start with two clients: ``admin`` (the plugin's control topic, used to issue player
credentials) and ``service`` (the rules runner and the iot-data stand-in: every
``trivia/live/#`` topic). Defaults deny all; player roles open their own topics
(``services.live.topics.PlayerPolicy``).

Started as root, Mosquitto switches to the ``user`` of its config: we name the current user, so
the files under the data dir stay writable.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from infra.local import processes
from services.live.mqtt_client import BrokerAddress
from services.live.topics import DEFAULT_ACLS, SERVICE_ACLS

INSTALL_HINT = "Mosquitto is not installed: `apt-get install mosquitto` (live games need it)"
_PLUGIN_GLOBS = (
    "/usr/lib/*/mosquitto_dynamic_security.so",
    "/usr/lib/mosquitto_dynamic_security.so",
    "/usr/local/lib/mosquitto_dynamic_security.so",
    "/usr/lib/*/mosquitto/mosquitto_dynamic_security.so",
)
_PBKDF2_ITERATIONS = 101


class MosquittoMissing(RuntimeError):
    pass


def mosquitto_binary() -> str:
    found = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.access(p, os.X_OK)),
        None,
    )
    if not found:
        raise MosquittoMissing(INSTALL_HINT)
    return found


def dynsec_plugin() -> str:
    for pattern in _PLUGIN_GLOBS:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    raise MosquittoMissing(INSTALL_HINT + " (its dynamic-security plugin was not found)")


def available() -> bool:
    try:
        mosquitto_binary()
        dynsec_plugin()
    except MosquittoMissing:
        return False
    return True


@dataclass
class MosquittoProcess:
    process: subprocess.Popen[bytes]
    port: int
    ws_port: int
    directory: Path
    admin_password: str
    service_password: str
    admin_username: str = "admin"
    service_username: str = "service"

    @property
    def address(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.port)

    @property
    def ws_address(self) -> BrokerAddress:
        return BrokerAddress("127.0.0.1", self.ws_port, websocket=True)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}/mqtt"

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until both listeners accept connections (True) or the broker exits (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if _listening(self.port) and _listening(self.ws_port):
                return True
            time.sleep(0.02)
        raise TimeoutError(f"mosquitto did not listen within {timeout:.0f} s")

    def stop(self) -> None:
        processes.stop(self.process)


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _hashed(username: str, password: str, roles: list[str]) -> dict[str, object]:
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _PBKDF2_ITERATIONS)
    return {
        "username": username,
        "password": base64.b64encode(digest).decode(),
        "salt": base64.b64encode(salt).decode(),
        "iterations": _PBKDF2_ITERATIONS,
        "roles": [{"rolename": role} for role in roles],
    }


def dynsec_document(admin_password: str, service_password: str) -> dict[str, object]:
    control = "$CONTROL/dynamic-security/#"
    return {
        "clients": [
            _hashed("admin", admin_password, ["admin"]),
            _hashed("service", service_password, ["service"]),
        ],
        "roles": [
            {
                "rolename": "admin",
                "acls": [
                    {"acltype": "publishClientSend", "topic": control, "allow": True},
                    {"acltype": "publishClientReceive", "topic": control, "allow": True},
                    {"acltype": "subscribePattern", "topic": control, "allow": True},
                ],
            },
            {"rolename": "service", "acls": SERVICE_ACLS},
        ],
        "defaultACLAccess": DEFAULT_ACLS,
    }


def _config(directory: Path, port: int, ws_port: int) -> str:
    return "\n".join(
        [
            f"user {pwd.getpwuid(os.getuid()).pw_name}",
            "per_listener_settings false",
            "allow_anonymous false",
            "persistence false",
            "retain_available false",
            "max_packet_size 65536",
            # AWS IoT Core's limit of unacknowledged QoS 1 messages per client, each way (it is
            # also the receive maximum sent in CONNACK); Mosquitto's default is 20, which kept
            # the rules' one connection to 20 verdicts in flight, the winner queued behind them.
            "max_inflight_messages 100",
            "set_tcp_nodelay true",
            f"plugin {dynsec_plugin()}",
            f"plugin_opt_config_file {directory / 'dynamic-security.json'}",
            f"log_dest file {directory / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            f"listener {port} 127.0.0.1",
            "socket_domain ipv4",
            f"listener {ws_port} 127.0.0.1",
            "protocol websockets",
            "socket_domain ipv4",
            "",
        ]
    )


def spawn_mosquitto(directory: Path) -> MosquittoProcess:
    """Start Mosquitto on two free ports; when ``wait_ready()`` says False, spawn again."""
    binary = mosquitto_binary()
    directory.mkdir(parents=True, exist_ok=True)
    admin_password, service_password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    dynsec = directory / "dynamic-security.json"
    dynsec.write_text(json.dumps(dynsec_document(admin_password, service_password), indent=1))
    dynsec.chmod(0o600)
    port, ws_port = processes.free_port(), processes.free_port()
    config = directory / "mosquitto.conf"
    config.write_text(_config(directory, port, ws_port))
    log = (directory / "stdout.log").open("ab")
    process = processes.spawn([binary, "-c", str(config)], stdout=log, stderr=log)
    log.close()
    return MosquittoProcess(process, port, ws_port, directory, admin_password, service_password)


def start_mosquitto(directory: Path, attempts: int = 3) -> MosquittoProcess:
    for _ in range(attempts):
        broker = spawn_mosquitto(directory)
        if broker.wait_ready():
            return broker
        broker.stop()
    raise RuntimeError(f"mosquitto would not start; see {directory / 'mosquitto.log'}")
