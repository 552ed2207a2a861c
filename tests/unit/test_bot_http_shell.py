from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any

import pytest

from clients.bots.shells.http_single import play_single
from clients.bots.single import BotSettings, SingleBot
from clients.sdk.errors import ApiError, TransportError, TriviaError

pytestmark = pytest.mark.unit

PLAY = {
    "play_id": "play-1",
    "quiz_id": "quiz-1",
    "questions": [
        {"question_id": "q1", "type": "multiple_choice", "text": "?", "options": ["A", "B"]},
        {"question_id": "q2", "type": "open", "text": "?"},
    ],
}


class FakeClient:
    """Records calls; answers with scripted outcomes (a value, or an error to raise)."""

    def __init__(self, start: Any = PLAY, submits: list[Any] | None = None) -> None:
        self.start = start
        self.submits = list(submits or [{"play_id": "play-1", "correct": 2}])
        self.calls: list[tuple[str, Any]] = []

    async def start_play(self, quiz_id: str) -> Any:
        self.calls.append(("start_play", quiz_id))
        return _outcome(self.start)

    async def submit_answers(self, play_id: str, answers: Mapping[str, str]) -> Any:
        self.calls.append(("submit_answers", (play_id, dict(answers))))
        return _outcome(self.submits.pop(0))


def _outcome(scripted: Any) -> Any:
    if isinstance(scripted, TriviaError):
        raise scripted
    return scripted


class Recorder:
    """A fake clock that advances only when the fake sleep is awaited."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        self.now += 0.025  # every reading moves 25 ms, so a submission spans exactly one step
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def _run(client: FakeClient, recorder: Recorder, knowledge: dict[str, str] | None = None):
    settings = BotSettings(accuracy=1.0, think_seconds=(0.05, 0.05), max_retries=1)
    bot = SingleBot(settings, random.Random(3), knowledge)
    return asyncio.run(
        play_single(client, bot, "quiz-1", sleep=recorder.sleep, clock=recorder.clock)  # type: ignore[arg-type]
    )


def test_plays_thinks_submits_and_times_the_submission() -> None:
    client, recorder = FakeClient(), Recorder()
    run = _run(client, recorder, knowledge={"q1": "B", "q2": "Mars"})
    assert client.calls == [
        ("start_play", "quiz-1"),
        ("submit_answers", ("play-1", {"q1": "B", "q2": "Mars"})),
    ]
    assert recorder.sleeps == [pytest.approx(0.1)]
    assert run.done.ok and run.done.result == {"play_id": "play-1", "correct": 2}
    assert run.done.intended_correct == 2
    assert run.submit_ms == pytest.approx(25.0)


def test_retryable_submit_error_is_retried_with_the_same_answers() -> None:
    busy = ApiError(503, "service_unavailable", "publish failed", retryable=True)
    client = FakeClient(submits=[busy, {"play_id": "play-1", "correct": 1}])
    run = _run(client, Recorder())
    submitted = [args for name, args in client.calls if name == "submit_answers"]
    assert len(submitted) == 2 and submitted[0] == submitted[1]
    assert run.done.ok


def test_errors_come_back_by_code_without_latency() -> None:
    client = FakeClient(submits=[ApiError(409, "already_submitted", "differs")])
    run = _run(client, Recorder())
    assert run.done.error_code == "already_submitted"
    assert run.submit_ms is None


def test_start_failure_never_submits() -> None:
    client = FakeClient(start=TransportError("connection refused"))
    run = _run(client, Recorder())
    assert run.done.error_code == "network_error"
    assert [name for name, _ in client.calls] == ["start_play"]


def test_malformed_start_answer_is_an_error_not_a_crash() -> None:
    client = FakeClient(start={"play_id": "play-1"})
    run = _run(client, Recorder())
    assert run.done.error_code == "invalid_response"
