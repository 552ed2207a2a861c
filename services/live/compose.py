"""Composition root of the live-game functions: adapters from typed settings, built once per
warm container on first use. Nothing here runs at import time."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from services.core import aws, in_process
from services.core.auth import TokenVerifier, verifier_for
from services.core.errors import ServiceUnavailable
from services.core.redis import redis_client
from services.core.results_publisher import SnsBatchPublisher
from services.core.settings import AuthSettings
from services.live.credentials import IotCoreCredentials, TokenCredentials
from services.live.dynamo import DynamoCompletionMarkers, DynamoLiveGames
from services.live.ports import CredentialIssuer, MessageSink
from services.live.publisher import IotDataPublisher
from services.live.settings import CredentialSettings, LiveSettings
from services.live.store import RedisLiveStore
from services.live.use_cases import LiveServices
from services.players.dynamo import DynamoProfileStore
from services.quizzes.repository import DynamoQuizRepository

# A message is small and a game waits on it: short timeouts, one retry.
_IOT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2,
                     read_timeout=5, max_pool_connections=64)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iot_data_client(settings: LiveSettings) -> Any:
    return boto3.session.Session().client(
        "iot-data", region_name=settings.aws_region, endpoint_url=settings.iot_data_endpoint,
        config=_IOT_CONFIG)


def _redis(settings: LiveSettings) -> Any:
    # Two quick retries ride over a failover; then the player hears "retry" at once.
    return redis_client(settings.redis_url, cluster=settings.redis_cluster,
                        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2))


class _ProfileNames:
    def __init__(self, profiles: DynamoProfileStore) -> None:
        self._profiles = profiles

    def display_name(self, player_id: str) -> str | None:
        profile = self._profiles.get(player_id)
        return (profile.display_name or profile.username) if profile else None


@cache
def live_services() -> LiveServices:
    """The use cases' dependencies; tests call ``live_services.cache_clear()``."""
    settings = LiveSettings()  # type: ignore[call-arg]  # filled from the environment
    dynamodb = aws.client("dynamodb", settings.aws_region)
    return LiveServices(
        store=RedisLiveStore(_redis(settings)),
        records=DynamoLiveGames(dynamodb, settings.games_table, settings.rosters_table),
        # the local cloud's broker connection, when it runs in this process (decision 0008)
        sink=(in_process.find(settings.iot_data_endpoint, MessageSink)
              or IotDataPublisher(iot_data_client(settings))),
        quizzes=DynamoQuizRepository(dynamodb, settings.quizzes_table),
        profiles=_ProfileNames(DynamoProfileStore(dynamodb, settings.players_table)),
        publisher=SnsBatchPublisher(
            aws.client("sns", settings.aws_region),
            result_topics=(settings.leaderboard_topic_arn, settings.progress_topic_arn),
            credit_topics=(settings.progress_topic_arn,)),
        markers=DynamoCompletionMarkers(dynamodb, settings.plays_table),
        clock=utc_now,
    )


@cache
def credential_issuer() -> CredentialIssuer:
    settings = CredentialSettings()  # type: ignore[call-arg]
    if settings.mqtt_credentials == "mosquitto":
        if not (settings.mqtt_port and settings.mqtt_token_key):
            raise ServiceUnavailable("live games are not available here: the local broker "
                                     "is not running")
        return TokenCredentials(bytes.fromhex(settings.mqtt_token_key), host=settings.mqtt_host,
                                port=settings.mqtt_port, ws_url=settings.mqtt_ws_url)
    if not (settings.iot_endpoint and settings.iot_authorizer_name):
        raise ServiceUnavailable("live games are not available here: no IoT endpoint is "
                                 "configured")
    return IotCoreCredentials(endpoint=settings.iot_endpoint,
                              authorizer_name=settings.iot_authorizer_name)


@cache
def token_verifier() -> TokenVerifier:
    return verifier_for(AuthSettings())  # type: ignore[call-arg]

