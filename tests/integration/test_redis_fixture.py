"""The private Redis the integration tests use is real and isolated."""

from __future__ import annotations

import pytest
import redis

pytestmark = pytest.mark.integration


def test_the_private_redis_runs_lua_and_is_not_the_machines_own(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert not redis_url.endswith(":6379/0")
    assert client.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, "fixture:n", 5) == 5
    client.delete("fixture:n")
