"""What the WebSocket and MQTT game messages share: reading a body, and per-game ``seq``.

Pure data, no I/O. A game's messages carry ``game_id`` and ``seq`` (one more per message the
game sends); one whose ``seq`` is not above the last seen for its game is stale (a duplicate,
or overtaken) and is dropped. ``ws_messages`` and ``mqtt_messages`` say which messages count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class Header(NamedTuple):
    game_id: str | None
    seq: int | None
    request_id: str | None


def header_of(body: Mapping[str, Any]) -> Header:
    """The routing fields of a message body, each None unless it has the right type."""
    game_id, seq, request_id = body.get("game_id"), body.get("seq"), body.get("request_id")
    return Header(
        game_id=game_id if isinstance(game_id, str) else None,
        seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        request_id=request_id if isinstance(request_id, str) else None,
    )


class MessageBody:
    """Read access to a message's JSON body (``message["scores"]``, ``message.get(...)``)."""

    type: str
    body: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    @property
    def is_error(self) -> bool:
        return self.type == "error"

    def _require_error(self) -> dict[str, Any]:
        if not self.is_error:
            raise ValueError(f"a {self.type} message is not an error")
        return dict(self.body)


class LastSeqs:
    """The last sequence number seen per game."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def fresh(self, game_id: str, seq: int) -> bool:
        """True (and remembered) when ``seq`` is above the last seen for the game."""
        if seq <= self._last.get(game_id, 0):
            return False
        self._last[game_id] = seq
        return True

    def last(self, game_id: str) -> int:
        return self._last.get(game_id, 0)

    def forget(self, game_id: str) -> None:
        self._last.pop(game_id, None)
