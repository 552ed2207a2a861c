"""The live-games part of the local cloud: Mosquitto, the topic rules, the iot-data endpoint.

``start_iot`` starts Mosquitto (``infra.local.mosquitto``), the rules runner over the
template's topic rules and the iot-data stand-in, and returns them with the variables the live
functions need from them (``IOT_VARIABLES``): the iot-data URL, and the broker's address and
admin login for ``POST /live/credentials``. The functions' own template variables (the games
table) come from ``resources.functions_environment``. Without
Mosquitto it logs how to install it and returns None: the other modes run without live games.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from infra.local import mosquitto
from infra.local.iot_data import IotDataEndpoint
from infra.local.iot_rules import RulesRunner
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.resources import LocalResources
from infra.wiring import Wiring

logger = logging.getLogger(__name__)

# Set here, over the template's AWS values (see ``resources.functions_environment``); the IoT
# endpoint and authorizer name only exist on AWS (locally the broker's MQTT_* replace them).
IOT_VARIABLES = frozenset({
    "IOT_DATA_ENDPOINT", "IOT_ENDPOINT", "IOT_AUTHORIZER_NAME", "MQTT_CREDENTIALS", "MQTT_HOST",
    "MQTT_PORT", "MQTT_WS_URL", "MQTT_TOKEN_KEY",
})


@dataclass
class LocalIot:
    broker: mosquitto.MosquittoProcess
    rules: RulesRunner
    iot_data: IotDataEndpoint
    environment: dict[str, str] = field(default_factory=dict)

    async def stop(self) -> None:
        await self.iot_data.stop()
        await asyncio.to_thread(self.rules.stop)
        await asyncio.to_thread(self.broker.stop)


def live_functions(wiring: Wiring) -> set[str]:
    functions = {rule.function for rule in wiring.iot_rules}
    functions |= {route.function for route in wiring.http_routes
                  if route.path.startswith("/live/")}
    return functions


async def _start_broker(directory: Path, attempts: int = 3) -> mosquitto.MosquittoProcess:
    """Spawned from the event-loop thread (a long-lived one: see processes.py on PDEATHSIG)."""
    for _ in range(attempts):
        broker = mosquitto.spawn_mosquitto(directory)
        if await asyncio.to_thread(broker.wait_ready):
            return broker
        broker.stop()  # lost a port race: try other ports
    raise RuntimeError(f"mosquitto would not start; see {directory / 'mosquitto.log'}")


async def start_iot(wiring: Wiring, runtime: LambdaRuntime, resources: LocalResources,
                    directory: Path) -> LocalIot | None:
    if not wiring.iot_rules:
        return None
    if not mosquitto.available():
        logger.warning("%s; starting without live games", mosquitto.INSTALL_HINT)
        return None
    broker = await _start_broker(directory)
    rules = RulesRunner(wiring.iot_rules, runtime, broker.address,
                        username=broker.service_username, password=broker.service_password)
    iot_data = IotDataEndpoint(broker.address, username=broker.service_username,
                               password=broker.service_password)
    try:
        await asyncio.to_thread(rules.start)
        await iot_data.start()
    except BaseException:
        await iot_data.stop()
        await asyncio.to_thread(rules.stop)
        await asyncio.to_thread(broker.stop)
        raise
    environment = {
        "IOT_DATA_ENDPOINT": iot_data.url,
        "MQTT_CREDENTIALS": "mosquitto",
        "MQTT_HOST": "127.0.0.1",
        "MQTT_PORT": str(broker.port),
        "MQTT_WS_URL": broker.ws_url,
        "MQTT_TOKEN_KEY": broker.key.hex(),
    }
    return LocalIot(broker, rules, iot_data, environment)
