"""The route registry the HTTP and WebSocket routers share: route key -> its function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class RouteRegistry(Generic[F]):
    """Each route key names one function: registering a key twice is a wiring bug, raised at
    import time (the template tests compare ``route_keys`` with the template's routes)."""

    def __init__(self) -> None:
        self._routes: dict[str, F] = {}

    @property
    def route_keys(self) -> frozenset[str]:
        return frozenset(self._routes)

    def route(self, route_key: str) -> Callable[[F], F]:
        def register(function: F) -> F:
            if route_key in self._routes:
                raise ValueError(f"route {route_key!r} registered twice")
            self._routes[route_key] = function
            return function

        return register
