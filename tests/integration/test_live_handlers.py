"""The live rule handlers as the topic rules call them (the rule's SQL event), over a Redis that
is down: every refusal reaches the sender's inbox as an ``error`` message, and Redis being
unreachable is a retryable ``service_unavailable``, never a silent accept."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from services.live import handlers, protocol, topics
from services.live.publisher import RecordingSink
from services.live.store import RedisLiveStore
from services.live.use_cases import LiveServices

pytestmark = pytest.mark.integration


class Unused:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"not expected here: {name}")


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> RecordingSink:
    recording = RecordingSink()
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                       socket_timeout=0.2, decode_responses=True,
                       retry=Retry(ExponentialBackoff(cap=0.1, base=0.01), 1))
    services = LiveServices(
        store=RedisLiveStore(dead), records=Unused(), sink=recording, quizzes=Unused(),  # type: ignore[arg-type]
        profiles=Unused(), publisher=Unused(), markers=Unused(),  # type: ignore[arg-type]
        clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    monkeypatch.setattr(handlers, "live_services", lambda: services)
    return recording


def event(sender: str, message: bytes, kind: str = "players") -> dict[str, Any]:
    leaf = "actions" if kind == "players" else "commands"
    return {"payload": base64.b64encode(message).decode(), "sender": sender,
            "topic": f"trivia/live/{kind}/{sender}/{leaf}"}


def test_an_answer_while_redis_is_down_gets_a_retryable_error(sink: RecordingSink) -> None:
    raw = json.dumps({"action": "answer", "game_id": "g1", "question_id": "q1",
                      "answer": "Rome", "request_id": "a1"}).encode()
    handlers.player_actions(event("p1", raw), None)
    assert sink.to(topics.player_inbox("p1")) == [{
        "type": "error", "game_id": "g1", "request_id": "a1",
        "error": {"code": "service_unavailable", "retryable": True,
                  "message": "the game store is unreachable; try again"}}]


@pytest.mark.parametrize(("raw", "code"), [
    (b"not json", "validation_failed"),
    (b'{"action":"answer","game_id":"g1","question_id":"q1","answer":"x","is_correct":true}',
     "validation_failed"),
    (b'{"action":"open_game","quiz_id":"q"}', "unknown_action"),
])
def test_invalid_actions_are_refused_on_the_senders_inbox(sink: RecordingSink, raw: bytes,
                                                          code: str) -> None:
    handlers.player_actions(event("p1", raw), None)
    [message] = sink.to(topics.player_inbox("p1"))
    assert message["error"]["code"] == code and "retryable" not in message["error"]


def test_a_host_command_while_redis_is_down_gets_a_retryable_error(sink: RecordingSink) -> None:
    raw = b'{"action":"start_game","game_id":"g1"}'
    handlers.host_commands(event("h1", raw, kind="hosts"), None)
    [message] = sink.to(topics.player_inbox("h1"))
    assert message["error"]["code"] == "service_unavailable" and message["error"]["retryable"]


def test_an_event_whose_sender_is_not_its_topic_segment_is_dropped(sink: RecordingSink) -> None:
    forged = {**event("p1", b'{"action":"join_game","game_id":"g1"}'), "sender": "p2"}
    handlers.player_actions(forged, None)
    assert sink.sent == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=5),
    max_leaves=12,
)
ACTIONS = st.fixed_dictionaries(
    {"action": st.sampled_from(["join_game", "answer", "open_game", "end_game", ""])},
    optional={"game_id": JSON | st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
              "question_id": JSON | st.sampled_from(["q1", "q999", "q0"]),
              "answer": JSON, "request_id": JSON, "player_id": JSON, "score": JSON},
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=ACTIONS | JSON, raw=st.binary(max_size=64))
def test_fuzzed_actions_get_exactly_one_error_reply_and_never_crash(
    sink: RecordingSink, message: Any, raw: bytes,
) -> None:
    """QUALITY.md fuzzing: whatever arrives, the sender gets one error message (Redis is down,
    so even a valid action is a retryable error), valid against the messages schema."""
    for payload in (json.dumps(message).encode(), raw):
        sink.sent.clear()
        handlers.player_actions(event("p1", payload), None)
        [(topic, reply)] = sink.sent
        assert topic == topics.player_inbox("p1") and reply["type"] == "error"
        assert list(protocol.validator("messages").iter_errors(reply)) == []
