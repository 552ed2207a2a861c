"""Fixtures shared by every suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private, real Redis server on a free loopback port for this test session.

    Never the machine's own Redis on 6379: tests must not depend on, or disturb, it.
    """
    from infra.local.redis_server import spawn_redis

    directory: Path = tmp_path_factory.mktemp("redis")
    for _attempt in range(3):
        server = spawn_redis(directory)
        if server.wait_ready():
            break
        server.stop()  # the probed port was taken before Redis bound it: try another
    else:
        raise RuntimeError("could not start a private redis-server")
    try:
        yield server.url
    finally:
        server.stop()
