"""Composition root of SingleGamesFunction: adapters from typed settings, once per warm
container, on the first invocation (decision 0006). Nothing here runs at import time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cache

from services.core import aws
from services.core.settings import TableSettings, TopicSettings
from services.quizzes.repository import DynamoQuizRepository
from services.single.dynamo import DynamoPlayStore
from services.single.publisher import SnsResultPublisher
from services.single.use_cases import PlayServices


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_play_id() -> str:
    return uuid.uuid4().hex


@cache
def play_services() -> PlayServices:
    """The use cases' dependencies; tests call ``play_services.cache_clear()`` between clouds."""
    tables = TableSettings()  # type: ignore[call-arg]  # filled from the environment
    topics = TopicSettings()  # type: ignore[call-arg]
    dynamodb = aws.client("dynamodb", tables.aws_region)
    return PlayServices(
        quizzes=DynamoQuizRepository(dynamodb, tables.quizzes_table),
        plays=DynamoPlayStore(dynamodb, tables.plays_table),
        publisher=SnsResultPublisher(
            aws.client("sns", topics.aws_region),
            (topics.leaderboard_topic_arn, topics.progress_topic_arn),
        ),
        clock=utc_now,
        new_play_id=new_play_id,
    )
