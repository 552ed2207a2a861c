"""Composition root of the quizzes context: settings and clients in, use-case dependencies out.

Nothing here runs at import time. ``LazyDependencies`` builds on the first request and keeps
the result for the life of the (warm) container; tests and the local cloud may ``override`` it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from services.core import aws
from services.core.settings import TableSettings
from services.quizzes.repository import DynamoQuizRepository
from services.quizzes.usecases import Clock, Dependencies, utc_now


def build(
    settings: TableSettings | None = None, *, client: Any = None, clock: Clock = utc_now
) -> Dependencies:
    """Dependencies from settings (environment by default) and a DynamoDB client."""
    settings = settings or TableSettings()  # type: ignore[call-arg]  # read from env
    client = client or aws.client("dynamodb", settings.aws_region)
    return Dependencies(quizzes=DynamoQuizRepository(client, settings.quizzes_table), clock=clock)


class LazyDependencies:
    def __init__(self, factory: Callable[[], Dependencies] = build) -> None:
        self._factory = factory
        self._built: Dependencies | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Dependencies:
        built = self._built
        if built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._factory()
                built = self._built
        return built

    def override(self, dependencies: Dependencies | None) -> None:
        """Use ``dependencies`` from now on; ``None`` rebuilds from settings on the next call."""
        with self._lock:
            self._built = dependencies
