"""Fan-out of one message to every connection of a game, through the @connections API.

Semantics (STYLE.md 12, written down because callers rely on them):

- **Concurrent:** on AWS, pushes run on a thread pool (``max_workers`` at a time), not one by
  one, so one slow connection does not delay the others by its whole latency. In the local
  cloud the whole fan-out is one hop into the gateway (``services.core.in_process``, decision
  0008), which writes every frame from its event loop.
- **Skips closed connections:** a push answered 410 Gone (``PlayerDisconnected``) is skipped and
  the connection's record is deleted from the connections table; the caller gets those ids in
  ``BroadcastReport.gone`` to free the seat's connection in the live state.
- **Keeps going:** any other failure of one push (throttling, a network error) is logged and
  reported in ``failed``; it never stops the pushes to the others, and ``send`` never raises.
- **No back-pressure and no retries:** a message that could not be pushed is not queued; a
  client that missed messages sends ``resume`` and gets the current state.
- ``send`` returns when every push has finished (or failed): the broadcast completes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.hosted.errors import PlayerDisconnected
from services.hosted.ports import BroadcastReport, Connections, Fanout, Pusher, PushOutcome

logger = logging.getLogger(__name__)


class ManagementApiPusher:
    """boto3's ``apigatewaymanagementapi`` client, its endpoint set explicitly by the caller."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def push(self, connection_id: str, data: bytes) -> None:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as error:
            if _gone(error):
                raise PlayerDisconnected(connection_id) from None
            raise

    def close(self, connection_id: str) -> None:
        try:
            self._client.delete_connection(ConnectionId=connection_id)
        except ClientError as error:
            if not _gone(error):
                raise


def _gone(error: ClientError) -> bool:
    response = error.response
    code = response.get("Error", {}).get("Code")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code == "GoneException" or status == 410


class PooledFanout:
    """The @connections API's way: one ``push`` per connection, ``max_workers`` at a time."""

    def __init__(self, pusher: Pusher, executor: ThreadPoolExecutor) -> None:
        self._pusher = pusher
        self._executor = executor

    def deliver(self, pushes: Sequence[tuple[str, bytes]]) -> list[PushOutcome]:
        if len(pushes) == 1:  # a reply: no hop through the pool
            return [self._push(*pushes[0])]
        return list(self._executor.map(lambda push: self._push(*push), pushes))

    def _push(self, connection_id: str, data: bytes) -> PushOutcome:
        try:
            self._pusher.push(connection_id, data)
            return "sent"
        except PlayerDisconnected:
            return "gone"
        except Exception:  # one failed push never stops the broadcast
            logger.warning("push to %s failed", connection_id, exc_info=True)
            return "failed"


class Broadcaster:
    """Fans out through ``fanout`` when given (the local cloud's in-process one), else pushes
    one by one through ``pusher`` on a pool of ``max_workers`` threads."""

    def __init__(self, pusher: Pusher, connections: Connections, *, max_workers: int = 32,
                 executor: ThreadPoolExecutor | None = None,
                 fanout: Fanout | None = None) -> None:
        self._pusher = pusher
        self._connections = connections
        self._fanout = fanout or PooledFanout(
            pusher, executor or ThreadPoolExecutor(max_workers=max_workers,
                                                   thread_name_prefix="broadcast"))

    def send(self, connection_ids: Sequence[str], message: dict[str, Any]) -> BroadcastReport:
        data = _encode(message)  # once for every connection
        return self._deliver([(target, data) for target in dict.fromkeys(connection_ids)])

    def send_each(self, messages: Mapping[str, dict[str, Any]]) -> BroadcastReport:
        return self._deliver([(target, _encode(message)) for target, message in messages.items()])

    def _deliver(self, pushes: list[tuple[str, bytes]]) -> BroadcastReport:
        targets = [target for target, _data in pushes]
        paired = list(zip(targets, self._fanout.deliver(pushes), strict=True))
        for target, outcome in paired:
            if outcome == "gone":
                self._forget(target)

        def having(wanted: PushOutcome) -> tuple[str, ...]:
            return tuple(target for target, outcome in paired if outcome == wanted)

        return BroadcastReport(sent=having("sent"), gone=having("gone"), failed=having("failed"))

    def close(self, connection_id: str) -> None:
        try:
            self._pusher.close(connection_id)
        except (ClientError, BotoCoreError):
            logger.warning("could not close connection %s", connection_id)
        self._forget(connection_id)

    def _forget(self, connection_id: str) -> None:
        try:
            self._connections.remove(connection_id)
        except Exception:  # the record's TTL removes it later
            logger.warning("could not delete connection record %s", connection_id)


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()
