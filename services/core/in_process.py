"""Endpoints served by this very process, reachable without a network hop (decision 0008).

On AWS a handler reaches API Gateway's @connections API and IoT Core's data plane over HTTPS,
one signed request per message: there is no other way there, and nothing registers here. The
local cloud runs the handlers in the process that also holds every WebSocket connection and the
broker connection, so it registers a direct transport under the endpoint URL it gives the
handlers (``WEBSOCKET_MANAGEMENT_URL``, ``IOT_DATA_ENDPOINT``). A composition root that finds
one uses it instead of a boto3 client: the same semantics (a push to a closed connection is
gone, a publish is QoS 1), without signing and serving an HTTP request per message.

A transport is registered while its endpoint runs and unregistered when it stops.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_transports: dict[str, object] = {}


def register(endpoint_url: str, transport: object) -> None:
    with _lock:
        _transports[endpoint_url] = transport


def unregister(endpoint_url: str) -> None:
    with _lock:
        _transports.pop(endpoint_url, None)


def find(endpoint_url: str | None, kind: Any) -> Any | None:
    """The transport registered under ``endpoint_url`` when it is a ``kind`` (a class or a
    runtime-checkable protocol, which mypy will not take as a ``type[T]``), else None."""
    if not endpoint_url:
        return None
    with _lock:
        transport = _transports.get(endpoint_url)
    return transport if isinstance(transport, kind) else None
