"""Typed settings of the hosted-game functions, read once at cold start (decision 0006)."""

from __future__ import annotations

from pydantic import Field

from services.core.settings import AwsSettings, GameSettings


class ConnectionSettings(AwsSettings):
    connections_table: str = Field(min_length=1)


class HostedSettings(ConnectionSettings, GameSettings):
    # The @connections API: https://<api>.execute-api.<region>.amazonaws.com/<stage> on AWS,
    # the local gateway's loopback URL locally. Explicit, because locally AWS_ENDPOINT_URL
    # points every other client at moto.
    websocket_management_url: str = Field(min_length=1)
    broadcast_workers: int = Field(default=32, ge=1, le=256)
