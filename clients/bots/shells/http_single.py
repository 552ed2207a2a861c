"""Drives a ``SingleBot`` over HTTP with the SDK.

Executes the brain's actions: ``StartPlay`` and ``SubmitAnswers`` become API calls, ``Think``
an ``asyncio.sleep``. Every SDK error goes back to the brain as ``ErrorReceived`` with its
stable code, so the caller counts failures by code. The answer submission is timed on a
monotonic clock; that latency is what demos and load runs report.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from clients.bots.single import (
    Action,
    Begin,
    BotProtocolError,
    Done,
    ErrorReceived,
    Event,
    PlayStarted,
    Question,
    ResultReceived,
    SingleBot,
    StartPlay,
    SubmitAnswers,
    Think,
)
from clients.sdk.client import TriviaClient
from clients.sdk.errors import TriviaError

Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class BotRun:
    done: Done
    # Milliseconds the accepted answer submission took; None when none was accepted.
    submit_ms: float | None


async def play_single(
    client: TriviaClient,
    bot: SingleBot,
    quiz_id: str,
    *,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.perf_counter,
) -> BotRun:
    """Play ``quiz_id`` once with ``bot``'s brain; the client must be logged in."""
    pending: deque[Action] = deque(bot.feed(Begin(quiz_id)))
    submit_ms: float | None = None
    while pending:
        action = pending.popleft()
        if isinstance(action, Done):
            return BotRun(done=action, submit_ms=submit_ms)
        if isinstance(action, Think):
            await sleep(action.seconds)
        elif isinstance(action, StartPlay):
            pending.extend(bot.feed(await _start(client, action)))
        elif isinstance(action, SubmitAnswers):
            started = clock()
            event = await _submit(client, action)
            if isinstance(event, ResultReceived):
                submit_ms = (clock() - started) * 1000
            pending.extend(bot.feed(event))
    raise BotProtocolError("the brain stopped without a Done action")


async def _start(client: TriviaClient, action: StartPlay) -> Event:
    try:
        play = await client.start_play(action.quiz_id)
        questions = tuple(Question.from_api(q) for q in play["questions"])
        return PlayStarted(play_id=str(play["play_id"]), questions=questions)
    except TriviaError as error:
        return _error_event(error)
    except (KeyError, TypeError) as exc:
        return ErrorReceived("invalid_response", f"start play answer lacks {exc}")


async def _submit(client: TriviaClient, action: SubmitAnswers) -> Event:
    try:
        return ResultReceived(await client.submit_answers(action.play_id, action.answers))
    except TriviaError as error:
        return _error_event(error)


def _error_event(error: TriviaError) -> ErrorReceived:
    return ErrorReceived(code=error.code, message=error.message, retryable=error.retryable)
