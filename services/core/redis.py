"""Redis plumbing shared by the game stores (hosted and live): client, keys, scripts, errors.

Each store keeps its own rules (its scripts, its refusals, its TTLs); this module holds what both
do the same way:

- ``redis_client``: one client per warm container, short timeouts; the cluster client for
  ElastiCache Serverless (``REDIS_CLUSTER``), one plain server locally.
- ``GameKeys``: every key of one game shares a hash tag (``<ns>:{<game_id>}:...``), so a script
  touches one cluster slot.
- ``LuaScripts``: scripts registered once; redis-py's Script object sends ``EVALSHA`` and loads
  the script only when Redis answers ``NOSCRIPT`` (e.g. after a restart or a failover).
  A reply is a list whose first word is an outcome; refusals become domain errors by that word,
  never by message text.
- ``reachable``: connection failures and the listed busy replies become ``ServiceUnavailable``
  (retryable): nothing is ever accepted silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import redis
from redis.retry import Retry

from services.core.errors import ServiceUnavailable

REDIS_TIMEOUT_SECONDS = 2.0

# A refused script's outcome word -> the domain error (given the reply's detail word).
Refusals = Mapping[str, Callable[[str], Exception]]


def redis_client(url: str, *, cluster: bool, retry: Retry | None = None) -> Any:
    """The store's client; ``retry`` (redis-py's) only where a mode asks for one."""
    options: dict[str, Any] = {
        "socket_timeout": REDIS_TIMEOUT_SECONDS,
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        "decode_responses": True,
    }
    if retry is not None:
        options["retry"] = retry
    if cluster:
        return redis.RedisCluster.from_url(url, **options)
    return redis.Redis.from_url(url, health_check_interval=30, **options)


class GameKeys:
    """The keys of one game, under one hash tag: ``<namespace>:{<game_id>}:<name>``."""

    namespace = ""

    def __init__(self, game_id: str) -> None:
        self.prefix = f"{self.namespace}:{{{game_id}}}:"

    def answers(self, question_id: str) -> str:
        return f"{self.prefix}answers:{question_id}"


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@contextmanager
def reachable(busy_replies: frozenset[str]) -> Iterator[None]:
    """Connection failures, and replies whose first word is in ``busy_replies``, are retryable."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError):
        raise ServiceUnavailable("the game store is unreachable; try again") from None
    except redis.ResponseError as error:
        if str(error).split(" ", 1)[0] in busy_replies:
            raise ServiceUnavailable("the game store is busy; try again") from None
        raise


def outcome_words(reply: Sequence[Any], refusals: Refusals) -> list[str]:
    """A script's reply as words; a refusal word raises its domain error."""
    words = [text(item) for item in reply]
    refusal = refusals.get(words[0])
    if refusal is not None:
        raise refusal(words[1] if len(words) > 1 else words[0])
    return words


class LuaScripts:
    """A store's scripts, registered once on its client (EVALSHA, reloaded on NOSCRIPT)."""

    def __init__(self, client: Any, source: object, names: Iterable[str], *,
                 refusals: Refusals, busy_replies: frozenset[str]) -> None:
        self._scripts = {name: client.register_script(getattr(source, name)) for name in names}
        self._refusals = refusals
        self.busy_replies = busy_replies

    def run(self, name: str, keys: list[str], args: Sequence[Any] = ()) -> list[str]:
        """Run a script whose reply is outcome words."""
        with reachable(self.busy_replies):
            return outcome_words(self.call(name, keys, args), self._refusals)

    def call(self, name: str, keys: list[str], args: Sequence[Any] = ()) -> Any:
        """Run a script and return its raw reply (callers wrap it in ``reachable``)."""
        return self._scripts[name](keys=keys, args=list(args))
