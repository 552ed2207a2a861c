"""In-memory fakes of the hosted game's ports, for tests. They record what was sent.

``tests/integration/test_hosted_notifier_contract.py`` runs the same assertions against
``RecordingNotifier`` and the real ``Broadcaster`` (over a loopback @connections API), so the
fake cannot drift from what the broadcaster does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.hosted.ports import BroadcastReport


@dataclass
class RecordingNotifier:
    """Records every message per connection; connections in ``gone`` answer as closed (410)."""

    sent: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)

    def send(self, connection_ids: Sequence[str], message: dict[str, Any]) -> BroadcastReport:
        return self.send_each(dict.fromkeys(connection_ids, message))

    def send_each(self, messages: Mapping[str, dict[str, Any]]) -> BroadcastReport:
        targets = list(messages)
        for connection, message in messages.items():
            if connection not in self.gone:
                self.sent.setdefault(connection, []).append(message)
        return BroadcastReport(
            sent=tuple(c for c in targets if c not in self.gone),
            gone=tuple(c for c in targets if c in self.gone),
            failed=(),
        )

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)
        self.gone.add(connection_id)

    def last(self, connection_id: str) -> dict[str, Any]:
        return self.sent[connection_id][-1]
