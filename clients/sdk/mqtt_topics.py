"""The live-game topic layout as a client uses it (docs/mqtt.md, "Topics").

The layout is defined once, in ``services/live/topics.py`` (which also renders the policy that
pins these topics to the connected player); the SDK reuses it and adds what only a client
needs: which game a broadcast came from.
"""

from __future__ import annotations

from services.live.topics import (
    GAME_EVENTS_FILTER,
    ROOT,
    game_events,
    host_commands,
    player_actions,
    player_inbox,
)

__all__ = [
    "GAME_EVENTS_FILTER",
    "ROOT",
    "game_events",
    "game_of",
    "host_commands",
    "player_actions",
    "player_inbox",
]


def game_of(topic: str) -> str | None:
    """The game id of a broadcast topic, or None for any other topic."""
    parts = topic.split("/")
    if len(parts) == 5 and "/".join(parts[:2]) == ROOT and parts[2] == "games":
        return parts[3] if parts[4] == "events" and parts[3] else None
    return None
