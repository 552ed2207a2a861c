"""moto's SNS delivery to HTTP subscribers, made after SNS's lock is released, on kept-alive
connections.

moto (5.x) POSTs a notification to each HTTP subscriber inside ``Publish``: in the local moto,
while SNS's one lock is held (``moto_server.SerializedApp``), and each time with a new
``requests`` session (a new TCP connection, the proxy settings and ``~/.netrc`` read again).
Every publish therefore waited for every earlier publish's round trips to the SNS bridge; with
100 answer submissions at once, that was most of their latency.

Here the publish itself (the subscriptions it reaches, the message id) still happens under the
lock; the deliveries are only collected there and made by the same request once the lock is
free, before its response is sent. So, as before, a caller that has its ``PublishResponse`` knows
the bridge has the notification (the bridge's ``drain`` and the tests rely on that), and a
delivery that fails still fails the ``Publish``. On AWS the deliveries are asynchronous anyway.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter

_HTTP = ("http", "https")
_POST_TIMEOUT_SECONDS = 10.0
_state = threading.local()


class Deliveries:
    """The HTTP deliveries one request's publishes asked for, in order."""

    def __init__(self) -> None:
        self._pending: list[Callable[[], None]] = []

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, delivery: Callable[[], None]) -> None:
        self._pending.append(delivery)

    def send(self) -> None:
        pending, self._pending = self._pending, []
        for delivery in pending:
            delivery()


@contextmanager
def deliveries_after() -> Iterator[Deliveries]:
    """Collect the HTTP deliveries of the publishes made in this block, for ``send()`` later.

    Outside such a block (moto used in-process, as in the tests), moto delivers at once.
    """
    previous = getattr(_state, "deliveries", None)
    deliveries = _state.deliveries = Deliveries()
    try:
        yield deliveries
    finally:
        _state.deliveries = previous


def defer(delivery: Callable[[], None]) -> bool:
    """Add ``delivery`` to the deliveries being collected in this thread; False if none are."""
    deliveries: Deliveries | None = getattr(_state, "deliveries", None)
    if deliveries is None:
        return False
    deliveries.add(delivery)
    return True


class _KeptAliveRequests:
    """``requests`` as moto's SNS sees it: ``post`` over one shared session, whose pool keeps
    connections to the bridge open. Subscribers are on loopback: no proxy or ``.netrc``."""

    def __init__(self) -> None:
        self._session = requests.Session()
        self._session.trust_env = False
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=64)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", _POST_TIMEOUT_SECONDS)
        return self._session.post(url, **kwargs)


def install() -> None:
    """Patch moto's SNS subscriptions in this process (the moto child); idempotent."""
    from moto.sns import models

    if getattr(models.Subscription.publish, "_after_lock", False):
        return
    original: Callable[..., None] = models.Subscription.publish

    def publish(self: Any, *args: Any, **kwargs: Any) -> None:
        if self.protocol in _HTTP and defer(functools.partial(original, self, *args, **kwargs)):
            return
        original(self, *args, **kwargs)

    publish._after_lock = True  # type: ignore[attr-defined]
    models.requests = _KeptAliveRequests()  # type: ignore[assignment]
    models.Subscription.publish = publish  # type: ignore[method-assign]
