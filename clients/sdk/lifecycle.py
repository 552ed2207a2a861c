"""``async with`` for the SDK's clients: ``TriviaClient``, ``GameSocket``, ``LiveConnection``.

Entering opens (a session, a connection) and returns the client; leaving closes it, whatever
happened inside.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class AsyncResource(ABC):
    @abstractmethod
    async def _enter(self) -> None:
        ...

    @abstractmethod
    async def close(self) -> None:
        ...

    async def __aenter__(self) -> Self:
        await self._enter()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
