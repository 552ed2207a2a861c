"""The live-game topic layout as a client sees it (docs/mqtt.md, "Topics").

A player publishes host commands and player actions on topics carrying their own id (the
service takes the sender's identity from that segment), reads their private inbox, and
subscribes to each game's broadcast topic.
"""

from __future__ import annotations

ROOT = "trivia/live"
ALL_GAME_EVENTS = f"{ROOT}/games/+/events"


def host_commands(player_id: str) -> str:
    return f"{ROOT}/hosts/{player_id}/commands"


def player_actions(player_id: str) -> str:
    return f"{ROOT}/players/{player_id}/actions"


def player_inbox(player_id: str) -> str:
    return f"{ROOT}/players/{player_id}/inbox"


def game_events(game_id: str) -> str:
    return f"{ROOT}/games/{game_id}/events"


def game_of(topic: str) -> str | None:
    """The game id of a broadcast topic, or None for any other topic."""
    parts = topic.split("/")
    if len(parts) == 5 and "/".join(parts[:2]) == ROOT and parts[2] == "games":
        return parts[3] if parts[4] == "events" and parts[3] else None
    return None
