"""The WebSocket part of the local cloud: the gateway, its @connections API, their settings.

``start_websocket`` reads the WebSocket routes and the authorizer from the template, starts the
gateway and the management API on loopback, and returns them with the environment the handlers
need: ``WEBSOCKET_MANAGEMENT_URL`` (the management API's URL) and the WebSocket functions' own
``Environment`` variables that resolve locally (table names). Variables naming AWS-only
resources (the ElastiCache endpoint) are left out: the local cloud sets ``REDIS_URL`` itself.

Idle timeout and maximum connection age: ``TRIVIA_WS_IDLE_TIMEOUT_SECONDS`` and
``TRIVIA_WS_MAX_AGE_SECONDS`` (API Gateway's 600 and 7200 by default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from infra.local.connections_api import ConnectionsApi
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.resources import ACCOUNT_ID, LocalResources
from infra.local.ws_gateway import (
    DEFAULT_IDLE_TIMEOUT_SECONDS,
    DEFAULT_MAX_AGE_SECONDS,
    GatewaySettings,
    WebSocketGateway,
)
from infra.wiring import Wiring

LOCAL_WEBSOCKET_API_ID = "triviawsapi"[:10]
_SET_BY_THE_LOCAL_CLOUD = frozenset({"REDIS_URL", "REDIS_CLUSTER", "WEBSOCKET_MANAGEMENT_URL"})


@dataclass
class LocalWebSocket:
    gateway: WebSocketGateway
    management: ConnectionsApi
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.gateway.url

    async def stop(self) -> None:
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


def function_environment(wiring: Wiring, resources: LocalResources) -> dict[str, str]:
    """The WebSocket functions' own variables that name local resources."""
    functions = {route.function for route in wiring.websocket_routes}
    environment: dict[str, str] = {}
    for logical_id in sorted(functions):
        variables = (wiring.functions[logical_id].properties.get("Environment") or {}).get(
            "Variables"
        ) or {}
        for name, value in variables.items():
            if name in _SET_BY_THE_LOCAL_CLOUD:
                continue
            try:
                environment[name] = str(resources.resolve(value))
            except KeyError:
                continue  # names a resource the local cloud does not emulate
    return environment


async def start_websocket(
    wiring: Wiring, runtime: LambdaRuntime, resources: LocalResources, region: str
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
    environment = function_environment(wiring, resources)
    environment["WEBSOCKET_MANAGEMENT_URL"] = management.url
    return LocalWebSocket(gateway, management, environment)
