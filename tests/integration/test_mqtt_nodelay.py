"""``set_nodelay``: TCP_NODELAY on this process's sockets connected to one address, and only
those, each looked at once (loopback sockets of the test's own)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from services.live import mqtt_nodelay

pytestmark = pytest.mark.integration


@pytest.fixture
def listeners() -> Iterator[list[socket.socket]]:
    opened = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    yield opened
    for listener in opened:
        listener.close()


def _nodelay(connection: socket.socket) -> int:
    return connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_only_the_sockets_connected_to_the_broker_get_nodelay_once(
    listeners: list[socket.socket],
) -> None:
    broker, other = (listener.getsockname()[1] for listener in listeners)
    to_broker = [socket.create_connection(("127.0.0.1", broker)) for _ in range(3)]
    elsewhere = socket.create_connection(("127.0.0.1", other))
    try:
        assert [_nodelay(s) for s in [*to_broker, elsewhere]] == [0, 0, 0, 0]
        assert mqtt_nodelay.set_nodelay("127.0.0.1", broker) == 3
        assert [_nodelay(s) for s in to_broker] == [1, 1, 1] and _nodelay(elsewhere) == 0
        assert mqtt_nodelay.set_nodelay("127.0.0.1", broker) == 0  # each socket once
        late = socket.create_connection(("localhost", broker))  # a name, resolved
        try:
            assert mqtt_nodelay.set_nodelay("localhost", broker) == 1 and _nodelay(late) == 1
        finally:
            late.close()
    finally:
        for connection in [*to_broker, elsewhere]:
            connection.close()
