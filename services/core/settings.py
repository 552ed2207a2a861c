"""Typed settings, read once from the environment at cold start by the composition root.

Lambda functions get these as environment variables from the SAM template (Globals); the local
cloud sets the same variables, resolved to its local resource names. A missing or malformed
setting fails loudly when the first handler builds its dependencies, not deep inside a call.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)


class AwsSettings(_Settings):
    aws_region: str = Field(min_length=1)


class AuthSettings(AwsSettings):
    user_pool_id: str = Field(min_length=1)
    user_pool_client_id: str = Field(min_length=1)
    # Locally the JWKS lives on moto's endpoint; on AWS it defaults to Cognito's well-known URL.
    jwks_url: str | None = None
    token_issuer: str | None = None

    @property
    def issuer(self) -> str:
        return self.token_issuer or (
            f"https://cognito-idp.{self.aws_region}.amazonaws.com/{self.user_pool_id}"
        )

    @property
    def jwks(self) -> str:
        return self.jwks_url or f"{self.issuer}/.well-known/jwks.json"


class TableSettings(AwsSettings):
    quizzes_table: str = Field(min_length=1)
    plays_table: str = Field(min_length=1)
    leaderboards_table: str = Field(min_length=1)
    players_table: str = Field(min_length=1)


class TopicSettings(AwsSettings):
    leaderboard_topic_arn: str = Field(min_length=1)
    progress_topic_arn: str = Field(min_length=1)


class RedisSettings(AwsSettings):
    redis_url: str = Field(min_length=1)
    # ElastiCache Serverless speaks the cluster protocol; the local Redis is one plain server.
    redis_cluster: bool = False


class GameSettings(RedisSettings):
    """What both multiplayer modes (hosted, live) read: tables, result topics, the game store."""

    quizzes_table: str = Field(min_length=1)
    plays_table: str = Field(min_length=1)
    games_table: str = Field(min_length=1)
    leaderboard_topic_arn: str = Field(min_length=1)
    progress_topic_arn: str = Field(min_length=1)
