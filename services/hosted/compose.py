"""Composition root of the hosted-game functions: adapters from typed settings, built once per
warm container on the first invocation. Nothing here runs at import time."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from services.core import aws, in_process
from services.core.auth import TokenVerifier, verifier_for
from services.core.redis import redis_client
from services.core.results_publisher import SnsBatchPublisher
from services.core.settings import AuthSettings
from services.hosted.broadcast import Broadcaster, ManagementApiPusher
from services.hosted.dynamo import (
    DynamoCompletionMarkers,
    DynamoConnections,
    DynamoGameDirectory,
)
from services.hosted.ports import Fanout
from services.hosted.settings import ConnectionSettings, HostedSettings
from services.hosted.store import RedisGameStore
from services.hosted.use_cases import HostedServices
from services.quizzes.repository import DynamoQuizRepository

# Pushes are small and a broadcast waits for the slowest: short timeouts, one retry.
_MANAGEMENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=2,
    read_timeout=5,
    max_pool_connections=64,
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def management_client(settings: HostedSettings) -> Any:
    session = boto3.session.Session()
    return session.client("apigatewaymanagementapi", region_name=settings.aws_region,
                          endpoint_url=settings.websocket_management_url,
                          config=_MANAGEMENT_CONFIG)


@cache
def hosted_services() -> HostedServices:
    """The use cases' dependencies; tests call ``hosted_services.cache_clear()``."""
    settings = HostedSettings()  # type: ignore[call-arg]  # filled from the environment
    dynamodb = aws.client("dynamodb", settings.aws_region)
    connections = DynamoConnections(dynamodb, settings.connections_table)
    return HostedServices(
        store=RedisGameStore(redis_client(settings.redis_url, cluster=settings.redis_cluster)),
        connections=connections,
        notifier=Broadcaster(
            ManagementApiPusher(management_client(settings)), connections,
            max_workers=settings.broadcast_workers,
            # the local cloud's gateway, when it runs in this process (decision 0008)
            fanout=in_process.find(settings.websocket_management_url, Fanout)),
        directory=DynamoGameDirectory(dynamodb, settings.games_table),
        quizzes=DynamoQuizRepository(dynamodb, settings.quizzes_table),
        publisher=SnsBatchPublisher(
            aws.client("sns", settings.aws_region),
            result_topics=(settings.leaderboard_topic_arn, settings.progress_topic_arn),
            credit_topics=(settings.progress_topic_arn,),
        ),
        markers=DynamoCompletionMarkers(dynamodb, settings.plays_table),
        clock=utc_now,
    )


@cache
def connections() -> DynamoConnections:
    settings = ConnectionSettings()  # type: ignore[call-arg]
    return DynamoConnections(aws.client("dynamodb", settings.aws_region),
                             settings.connections_table)


@cache
def token_verifier() -> TokenVerifier:
    return verifier_for(AuthSettings())  # type: ignore[call-arg]
