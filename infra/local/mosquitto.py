"""Mosquitto for the local cloud (AWS IoT Core's stand-in), with our authorizer plugin.

Two listeners on 127.0.0.1 (MQTT over TCP and over websockets; ``socket_domain ipv4``, without
which the websockets listener ignores the bind address), anonymous access off, no persistence,
no retained messages (``retain_available false``: on AWS the player policy grants no
``iot:RetainPublish``), and ``set_tcp_nodelay true``: with Nagle's algorithm on, the broker's
small writes waited for the client's delayed ACK (~40 ms).

Who may connect and do what is the plugin's (``trivia_auth.c``, decision 0010), as IoT Core's
custom authorizer decides on AWS: a username and a token signed with a key written here for
this broker only (``services.live.credentials.broker_token``); a player's client id must be its
username, and the player policy (``services.live.topics.broker_rules``) is applied to it. The
``service`` user (the rules runner and the iot-data stand-in) has every right. The plugin is
compiled from its source on first use, into the user's cache, keyed by the source's hash.

Started as root, Mosquitto switches to the ``user`` of its config: we name the current user, so
the files under the data dir stay readable to it.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from infra.local import processes
from services.live.credentials import broker_token
from services.live.mqtt_client import BrokerAddress
from services.live.topics import broker_rules

BUILD_PACKAGES = "mosquitto mosquitto-dev libmosquitto-dev libssl-dev gcc"
INSTALL_HINT = (
    f"Mosquitto or what builds its plugin is missing: `apt-get install {BUILD_PACKAGES}` "
    "(live games need them)"
)
PLUGIN_SOURCE = Path(__file__).with_name("trivia_auth.c")
SERVICE_USERNAME = "service"
KEY_FILE = "token.key"
SERVICE_TOKEN_SECONDS = 365 * 24 * 3600  # the broker checks it at each (re)connect only


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


def auth_plugin() -> Path:
    """The compiled authorizer plugin; built on first use (a C compiler, Mosquitto's plugin
    headers and OpenSSL's), then reused while its source is unchanged."""
    return _built_plugin(hashlib.sha256(PLUGIN_SOURCE.read_bytes()).hexdigest()[:16])


@cache
def _built_plugin(digest: str) -> Path:
    target = _cache_dir() / f"trivia_auth-{digest}.so"
    if target.exists():
        return target
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise MosquittoMissing(INSTALL_HINT + " (no C compiler)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        built = Path(scratch) / target.name
        command = [compiler, "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror",
                   "-o", str(built), str(PLUGIN_SOURCE), "-lcrypto"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise MosquittoMissing(f"{INSTALL_HINT}; the plugin did not build:\n"
                                   f"{done.stderr.strip()[-2000:]}")
        built.replace(target)  # atomic: a concurrent build leaves one whole file
    return target


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trivia-service"


def available() -> bool:
    try:
        mosquitto_binary()
        auth_plugin()
    except MosquittoMissing:
        return False
    return True


@dataclass
class MosquittoProcess:
    process: subprocess.Popen[bytes]
    port: int
    ws_port: int
    directory: Path
    key: bytes  # the plugin's token key, for this broker only
    service_username: str = SERVICE_USERNAME

    @property
    def service_password(self) -> str:
        return broker_token(self.key, self.service_username,
                            int(time.time()) + SERVICE_TOKEN_SECONDS)

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


def _config(directory: Path, port: int, ws_port: int) -> str:
    publish, subscribe = broker_rules()
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
            f"plugin {auth_plugin()}",
            f"plugin_opt_key_file {directory / KEY_FILE}",
            f"plugin_opt_publish {' '.join(publish)}",
            f"plugin_opt_subscribe {' '.join(subscribe)}",
            f"plugin_opt_superusers {SERVICE_USERNAME}",
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
    key = secrets.token_bytes(32)
    key_file = directory / KEY_FILE
    key_file.touch(mode=0o600)
    key_file.chmod(0o600)
    key_file.write_text(key.hex(), encoding="ascii")
    port, ws_port = processes.free_port(), processes.free_port()
    config = directory / "mosquitto.conf"
    config.write_text(_config(directory, port, ws_port))
    log = (directory / "stdout.log").open("ab")
    process = processes.spawn([binary, "-c", str(config)], stdout=log, stderr=log)
    log.close()
    return MosquittoProcess(process, port, ws_port, directory, key)


def start_mosquitto(directory: Path, attempts: int = 3) -> MosquittoProcess:
    for _ in range(attempts):
        broker = spawn_mosquitto(directory)
        if broker.wait_ready():
            return broker
        broker.stop()
    raise RuntimeError(f"mosquitto would not start; see {directory / 'mosquitto.log'}")
