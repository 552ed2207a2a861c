"""The WebSocket part of the local cloud: the gateway, its @connections API, their settings.

``start_websocket`` reads the WebSocket routes and the authorizer from the template, starts the
gateway and the management API on loopback, and returns them with the variable the handlers
need from it: ``WEBSOCKET_MANAGEMENT_URL`` (the management API's URL, under which the
in-process fan-out is registered, decision 0008). The functions' own
template variables (table names) come from ``resources.functions_environment``.

Idle timeout and maximum connection age: ``TRIVIA_WS_IDLE_TIMEOUT_SECONDS`` and
``TRIVIA_WS_MAX_AGE_SECONDS`` (API Gateway's 600 and 7200 by default).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

from infra.local.connections_api import ConnectionsApi, InProcessFanout
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.resources import ACCOUNT_ID
from infra.local.ws_gateway import (
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    DEFAULT_MAX_AGE_SECONDS,
    GatewaySettings,
    WebSocketGateway,
)
from infra.wiring import Wiring
from services.core import in_process

LOCAL_WEBSOCKET_API_ID = "triviawsapi"[:10]
# Set here, over the template's AWS value (see ``resources.functions_environment``).
WEBSOCKET_VARIABLES = frozenset({"WEBSOCKET_MANAGEMENT_URL"})


@dataclass
class LocalWebSocket:
    gateway: WebSocketGateway
    management: ConnectionsApi
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.gateway.url

    async def stop(self) -> None:
        in_process.unregister(self.management.url)
        await self.gateway.stop()
        await self.management.stop()


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None:
        return default
    seconds = float(value)
    if seconds <= 0:
        raise ValueError(f"{name} must be a positive number of seconds")
    return seconds


async def start_websocket(
    wiring: Wiring, runtime: LambdaRuntime, region: str
) -> LocalWebSocket | None:
    routes = wiring.websocket_routes
    if not routes:
        return None
    settings = GatewaySettings(
        api_id=LOCAL_WEBSOCKET_API_ID,
        account_id=ACCOUNT_ID,
        region=region,
        idle_timeout_seconds=_seconds(
            "TRIVIA_WS_IDLE_TIMEOUT_SECONDS", DEFAULT_IDLE_TIMEOUT_SECONDS
        ),
        max_age_seconds=_seconds("TRIVIA_WS_MAX_AGE_SECONDS", DEFAULT_MAX_AGE_SECONDS),
    )
    gateway = WebSocketGateway(routes, wiring.websocket_authorizer, runtime, settings)
    management = ConnectionsApi(gateway)
    await management.start()
    await gateway.start()
    # the handlers run in this process: their fan-outs skip the HTTP hop (decision 0008)
    in_process.register(management.url, InProcessFanout(gateway, asyncio.get_running_loop()))
    return LocalWebSocket(gateway, management, {"WEBSOCKET_MANAGEMENT_URL": management.url})
