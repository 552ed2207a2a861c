"""The endpoints file: everything a client needs to reach one deployment.

``trivia up`` writes it when the local cloud is ready (default ``.trivia/endpoints.json``); on AWS
it is generated from the stack outputs. The SDK, bots, load runner and tests read it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

DEFAULT_ENDPOINTS_FILE = Path(".trivia/endpoints.json")


class Endpoints(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    http_api_url: str
    region: str
    user_pool_id: str
    user_pool_client_id: str
    # Where Cognito's API answers: moto's URL locally, None on AWS (the regional endpoint).
    cognito_endpoint_url: str | None = None
    # boto3's AWS_ENDPOINT_URL for the whole local cloud (moto); None on AWS.
    aws_endpoint_url: str | None = None
    redis_url: str | None = None
    # The hosted-games WebSocket API (docs/websocket.md); connect with ?token=<access token>.
    websocket_url: str | None = None
    # Live games over MQTT (docs/mqtt.md): the broker players connect to (POST /live/credentials
    # says how); None where live games are not available.
    mqtt_host: str | None = None
    mqtt_port: int | None = None
    mqtt_ws_url: str | None = None
    data_dir: str | None = None

    @property
    def cognito_url(self) -> str:
        return self.cognito_endpoint_url or f"https://cognito-idp.{self.region}.amazonaws.com/"

    @classmethod
    def load(cls, path: str | Path | None = None) -> Endpoints:
        target = Path(path or os.environ.get("TRIVIA_ENDPOINTS_FILE") or DEFAULT_ENDPOINTS_FILE)
        try:
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no endpoints file at {target}: start the local cloud with `trivia up`, "
                "or pass --endpoints-file"
            ) from None
        return cls.model_validate(json.loads(text))

    def write(self, path: str | Path) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        temporary.replace(target)
