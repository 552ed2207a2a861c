"""Composition roots of LeaderboardsFunction and LeaderboardWriterFunction: the leaderboard
store from typed settings, once per warm container, on the first invocation (decision 0006)."""

from __future__ import annotations

from functools import cache

from services.core import aws
from services.core.settings import TableSettings
from services.scores.dynamo import DynamoLeaderboardStore
from services.scores.ports import LeaderboardStore


@cache
def leaderboard_store() -> LeaderboardStore:
    """Tests call ``leaderboard_store.cache_clear()`` between clouds."""
    tables = TableSettings()  # type: ignore[call-arg]  # filled from the environment
    return DynamoLeaderboardStore(
        aws.client("dynamodb", tables.aws_region), tables.leaderboards_table
    )
