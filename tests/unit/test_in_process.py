"""The in-process transport registry (decision 0008) and the broadcaster over a given fan-out."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from services.core import in_process
from services.hosted.broadcast import Broadcaster
from services.hosted.ports import Fanout, PushOutcome

pytestmark = pytest.mark.unit


class ScriptedFanout:
    def __init__(self, outcomes: dict[str, PushOutcome]) -> None:
        self.outcomes = outcomes
        self.calls: list[list[tuple[str, bytes]]] = []

    def deliver(self, pushes: Sequence[tuple[str, bytes]]) -> list[PushOutcome]:
        self.calls.append(list(pushes))
        return [self.outcomes[connection_id] for connection_id, _data in pushes]


class UnusedPusher:
    def push(self, connection_id: str, data: bytes) -> None:
        raise AssertionError("the fan-out was given: no single pushes")

    def close(self, connection_id: str) -> None:
        raise AssertionError("not closing")


class Records:
    def __init__(self) -> None:
        self.removed: list[str] = []

    def remove(self, connection_id: str) -> None:
        self.removed.append(connection_id)


def test_a_transport_is_found_by_its_url_and_kind_while_registered() -> None:
    fanout = ScriptedFanout({})
    in_process.register("http://127.0.0.1:1/live", fanout)
    try:
        assert in_process.find("http://127.0.0.1:1/live", Fanout) is fanout
        assert in_process.find("http://127.0.0.1:2/live", Fanout) is None
        assert in_process.find("http://127.0.0.1:1/live", int) is None  # another kind
        assert in_process.find(None, Fanout) is None
    finally:
        in_process.unregister("http://127.0.0.1:1/live")
    assert in_process.find("http://127.0.0.1:1/live", Fanout) is None


def test_the_broadcaster_hands_the_whole_fan_out_over_once_and_forgets_the_gone() -> None:
    fanout = ScriptedFanout({"a": "sent", "b": "gone", "c": "failed"})
    records = Records()
    broadcaster = Broadcaster(UnusedPusher(), records, fanout=fanout)  # type: ignore[arg-type]

    report = broadcaster.send(["a", "b", "a", "c"], {"type": "question", "seq": 3})

    data = b'{"type":"question","seq":3}'
    assert fanout.calls == [[("a", data), ("b", data), ("c", data)]]
    assert (report.sent, report.gone, report.failed) == (("a",), ("b",), ("c",))
    assert records.removed == ["b"]


def test_the_broadcaster_hands_each_connection_its_own_copy_in_one_fan_out() -> None:
    fanout = ScriptedFanout({"a": "sent", "b": "gone"})
    records = Records()
    broadcaster = Broadcaster(UnusedPusher(), records, fanout=fanout)  # type: ignore[arg-type]

    report = broadcaster.send_each({"a": {"seq": 4, "you": 1}, "b": {"seq": 4, "you": 2}})

    assert fanout.calls == [[("a", b'{"seq":4,"you":1}'), ("b", b'{"seq":4,"you":2}')]]
    assert (report.sent, report.gone) == (("a",), ("b",))
    assert records.removed == ["b"]
