"""Typed settings of the live-game functions, read once at cold start."""

from __future__ import annotations

from pydantic import Field

from services.core.settings import AwsSettings, GameSettings


class LiveSettings(GameSettings):
    players_table: str = Field(min_length=1)
    rosters_table: str = Field(min_length=1)
    # https://<prefix>-ats.iot.<region>.amazonaws.com on AWS, the local iot-data stand-in
    # locally. Explicit, because locally AWS_ENDPOINT_URL points every other client at moto.
    iot_data_endpoint: str = Field(min_length=1)


class CredentialSettings(AwsSettings):
    """``POST /live/credentials``: ``aws`` returns how to reach IoT Core; ``mosquitto`` issues
    a token the local broker's authorizer plugin accepts."""

    mqtt_credentials: str = Field(default="aws", pattern="^(aws|mosquitto)$")
    iot_endpoint: str | None = None  # the broker host players connect to (AWS)
    iot_authorizer_name: str | None = None
    # Mosquitto (local): the host and ports players use, and the key its plugin checks tokens
    # with (hex; set by the local cloud, never logged).
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = 0
    mqtt_ws_url: str | None = None
    mqtt_token_key: str | None = None

