"""What the WebSocket and MQTT shells share: the loop that drives a game brain.

Events wait in one inbox; the brain's actions are performed in order until it says ``Done``.
``SetTimer`` becomes ``loop.call_later`` feeding ``TimerFired``; ``Announce`` goes to the seat's
``on_announce``; nothing in the inbox for ``idle`` seconds feeds ``Idle``, so a game that stalls
ends instead of hanging. Timers and the reader task are cancelled on the way out. Subclasses
start the reader (``_start``), undo what they set up (``_stop``) and perform their transport's
actions (``_perform_io``).

Latency samples are matched after the fact (``matched_ms``): a start per key (when a request
left), a receipt per key and seat (when each seat saw what it caused), on one monotonic clock.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from clients.bots.seat import Done, Idle, SetTimer, TimerFired

K = TypeVar("K")
IDLE_TIMEOUT_SECONDS = 60.0


class Brain(Protocol):
    def feed(self, event: object) -> list[Any]: ...


class Announcing(Protocol):
    on_announce: Callable[[Any], None] | None


def matched_ms(starts: Mapping[K, float], receipts: Iterable[tuple[K, float]]) -> list[float]:
    """Milliseconds from each receipt's start, for the receipts whose start is known."""
    samples = []
    for key, received in receipts:
        started = starts.get(key)
        if started is not None:
            samples.append((received - started) * 1000)
    return samples


class BrainDriver(ABC):
    """Runs one brain until it is done; see the module's docstring."""

    announce_type: type[Any]  # the mode's ``Announce`` action

    def __init__(self, brain: Brain, seat: Announcing, idle: float) -> None:
        self.brain = brain
        self.seat = seat
        self.idle = idle
        self.inbox: asyncio.Queue[object] = asyncio.Queue()
        self.timers: list[asyncio.TimerHandle] = []
        self.reader: asyncio.Task[None] | None = None

    async def run(self, first: object) -> Done:
        self._start()
        try:
            event = first
            while True:
                for action in self.brain.feed(event):
                    if isinstance(action, Done):
                        return action
                    await self._perform(action)
                event = await self._next_event()
        finally:
            self._stop()
            if self.reader is not None:
                self.reader.cancel()
            for timer in self.timers:
                timer.cancel()

    @abstractmethod
    def _start(self) -> None:
        ...

    def _stop(self) -> None:  # noqa: B027 (an optional hook: most shells have nothing to stop)
        """Release what ``_start`` took; nothing by default."""

    @abstractmethod
    async def _perform_io(self, action: object) -> None:
        ...

    async def _perform(self, action: object) -> None:
        if isinstance(action, SetTimer):
            loop = asyncio.get_running_loop()
            fired = TimerFired(action.tag)
            self.timers.append(loop.call_later(action.seconds, self.inbox.put_nowait, fired))
        elif isinstance(action, self.announce_type):
            if self.seat.on_announce is not None:
                self.seat.on_announce(action)
        else:
            await self._perform_io(action)

    async def _next_event(self) -> object:
        try:
            async with asyncio.timeout(self.idle):
                return await self.inbox.get()
        except TimeoutError:
            return Idle(self.idle)
