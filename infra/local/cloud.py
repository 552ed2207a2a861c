"""The local cloud's supervisor: starts every part in order, and stops them all.

Start-up, ordered for speed (moto's import is the long pole, ~1 s): spawn moto and Redis first,
read the template and build the Lambda runtime while they boot, then create the template's
resources in moto, set the handlers' environment, start the HTTP gateway and the SNS bridge,
subscribe the bridge, seed, and write the endpoints file (that file appearing means "ready").

``LocalCloud`` is the asyncio API (``async with LocalCloud(config) as cloud``);
``BackgroundCloud`` runs one on its own event-loop thread for synchronous code and tests.
Handlers read the process environment at their cold start and Python imports a module once per
process, so one process hosts one local cloud at a time; run more clouds as more processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import logging
import os
import threading
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from clients.sdk.endpoints import Endpoints
from infra.local import moto_server, redis_server
from infra.local import seed as seeding
from infra.local.authorizer import authorizer_from_template
from infra.local.cors import CorsConfig
from infra.local.http_gateway import HttpGateway
from infra.local.iot_local import IOT_VARIABLES, LocalIot, start_iot
from infra.local.lambda_runtime import LambdaRuntime
from infra.local.resources import (
    ACCOUNT_ID,
    LOCAL_VARIABLES,
    LocalResources,
    create_resources,
    functions_environment,
    handler_environment,
    local_api_id,
)
from infra.local.sns_bridge import SnsBridge
from infra.local.ws_local import WEBSOCKET_VARIABLES, LocalWebSocket, start_websocket
from infra.wiring import TEMPLATE_PATH, Wiring, load_template

logger = logging.getLogger(__name__)
T = TypeVar("T")

_REDIS_ATTEMPTS = 3
_SERVICES = ("dynamodb", "sns", "cognito-idp")


class CloudError(RuntimeError):
    """The local cloud cannot start; the message says why and what to do."""


@dataclass(frozen=True)
class CloudConfig:
    data_dir: Path = Path(".trivia")
    endpoints_file: Path | None = None  # written when ready; None: not written
    region: str = "us-east-1"
    http_port: int = 0
    workers: int = 32
    seed: bool = True
    template: Path = TEMPLATE_PATH
    seed_dir: Path = seeding.SEED_DIR
    jwks_cooldown_seconds: float = 300.0
    sns_backoff_seconds: float = 0.05


class LocalCloud:
    def __init__(
        self, config: CloudConfig | None = None, *, moto: moto_server.MotoProcess | None = None
    ) -> None:
        """``moto``: a child already spawned with ``start_moto()``, to overlap its boot."""
        self.config = config or CloudConfig()
        self._early_moto = moto
        self.wiring: Wiring | None = None
        self.runtime: LambdaRuntime | None = None
        self.resources: LocalResources | None = None
        self.gateway: HttpGateway | None = None
        self.bridge: SnsBridge | None = None
        self.websocket: LocalWebSocket | None = None
        self.iot: LocalIot | None = None  # live games: Mosquitto, topic rules, iot-data
        self.endpoints: Endpoints | None = None
        self.moto: moto_server.MotoProcess | None = None
        self.redis: redis_server.RedisProcess | None = None
        self.seed_result: seeding.SeedResult | None = None
        self.seed_error: str | None = None
        self.startup_seconds = 0.0
        self.timings: dict[str, float] = {}
        self._started = 0.0
        self._lock_file: IO[str] | None = None
        self._saved_environment: dict[str, str | None] = {}

    async def __aenter__(self) -> LocalCloud:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir.resolve()

    # ---------------------------------------------------------------- start

    async def start(self) -> Endpoints:
        self._started = time.monotonic()
        try:
            endpoints = await self._start()
        except BaseException:
            await self.stop()
            raise
        self.startup_seconds = time.monotonic() - self._started
        return endpoints

    async def _start(self) -> Endpoints:
        config = self.config
        self._lock_data_dir()
        # Children are spawned from this (long-lived) thread: see processes.py on PDEATHSIG.
        self.moto = self._early_moto or moto_server.start_moto()
        self.redis = redis_server.spawn_redis(self.data_dir / "redis")
        self.wiring = wiring = load_template(config.template)
        self.runtime = LambdaRuntime(wiring, region=config.region, workers=config.workers)
        session, moto_url, _ = await asyncio.gather(
            asyncio.to_thread(_boto3_session, config.region),
            asyncio.to_thread(self.moto.wait_ready),
            self._wait_for_redis(),
        )
        self._mark("moto, redis and boto3 ready")
        client = _moto_clients(session, moto_url)
        self.resources = await asyncio.to_thread(create_resources, wiring, client, config.region)
        self._mark("resources created")
        environment = handler_environment(
            wiring, self.resources, moto_url=moto_url, redis_url=self.redis.url
        )
        # One environment for all handlers: fails here when two functions disagree.
        environment.update(functions_environment(
            wiring, self.resources,
            set_locally=LOCAL_VARIABLES | WEBSOCKET_VARIABLES | IOT_VARIABLES,
        ))
        self._apply_environment(environment)
        await self._start_gateway(wiring, environment)
        self.websocket = await start_websocket(wiring, self.runtime, config.region)
        if self.websocket is not None:
            self._apply_environment(self.websocket.environment)
        self.iot = await start_iot(wiring, self.runtime, self.resources, self.data_dir / "mqtt")
        if self.iot is not None:
            self._apply_environment(self.iot.environment)
        self.bridge = SnsBridge(
            self.runtime,
            wiring.functions,
            self.data_dir / "dead-letters",
            backoff_seconds=config.sns_backoff_seconds,
        )
        await self.bridge.start()
        await asyncio.to_thread(self.bridge.subscribe, client("sns"), self.resources.topics)
        self._mark("gateway and bridge serving")
        self.endpoints = self._endpoints(moto_url)
        if config.seed:
            await self._seed(self.endpoints)
            self._mark("seeded")
        if config.endpoints_file is not None:
            self.endpoints.write(config.endpoints_file)
        return self.endpoints

    def _mark(self, phase: str) -> None:
        self.timings[phase] = time.monotonic() - self._started
        logger.debug("%s after %.2f s", phase, self.timings[phase])

    def _lock_data_dir(self) -> None:
        """One cloud per data dir: two would share Redis files and dead letters."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock_file = (self.data_dir / "cloud.lock").open("w")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            raise CloudError(
                f"another local cloud is using {self.data_dir}; stop it or pass --data-dir"
            ) from None
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        self._lock_file = lock_file

    async def _wait_for_redis(self) -> None:
        assert self.redis is not None
        for _ in range(_REDIS_ATTEMPTS):
            if await asyncio.to_thread(self.redis.wait_ready):
                return
            self.redis.stop()  # lost the port race: try another port
            self.redis = redis_server.spawn_redis(self.data_dir / "redis")
        raise CloudError(f"redis-server would not start; see {self.data_dir / 'redis'}")

    def _apply_environment(self, environment: Mapping[str, str]) -> None:
        for name, value in environment.items():
            self._saved_environment.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    async def _start_gateway(self, wiring: Wiring, environment: Mapping[str, str]) -> None:
        assert self.runtime is not None and self.resources is not None
        routes = wiring.http_routes
        authorizer = None
        if any(route.authorized for route in routes):
            authorizer = authorizer_from_template(
                wiring,
                self.resources,
                jwks_url=environment["JWKS_URL"],
                cooldown_seconds=self.config.jwks_cooldown_seconds,
            )
        self.gateway = HttpGateway(
            routes,
            self.runtime,
            authorizer,
            api_id=local_api_id(),
            account_id=ACCOUNT_ID,
            cors=CorsConfig.from_template(wiring.http_api()) if routes else None,
        )
        await self.gateway.start(self.config.http_port)

    def _endpoints(self, moto_url: str) -> Endpoints:
        assert self.gateway and self.resources and self.redis
        return Endpoints(
            http_api_url=self.gateway.url,
            region=self.config.region,
            user_pool_id=self.resources.user_pool_id,
            user_pool_client_id=self.resources.user_pool_client_id,
            cognito_endpoint_url=moto_url,
            aws_endpoint_url=moto_url,
            redis_url=self.redis.url,
            websocket_url=self.websocket.url if self.websocket is not None else None,
            mqtt_host="127.0.0.1" if self.iot is not None else None,
            mqtt_port=self.iot.broker.port if self.iot is not None else None,
            mqtt_ws_url=self.iot.broker.ws_url if self.iot is not None else None,
            data_dir=str(self.data_dir),
        )

    async def _seed(self, endpoints: Endpoints) -> None:
        """Seed, or record why not: a failed seed leaves a running, empty cloud."""
        files = seeding.seed_files(self.config.seed_dir)
        if not files:
            logger.info("no seed quizzes in %s; starting empty", self.config.seed_dir)
            return
        try:
            self.seed_result = await asyncio.to_thread(seeding.seed_quizzes, endpoints, files)
        except seeding.SeedError as error:
            self.seed_error = f"seeding failed, the cloud runs without sample quizzes: {error}"
            logger.error("%s", self.seed_error)

    # ---------------------------------------------------------------- stop

    async def stop(self) -> None:
        """Stop every part, children last; keep data (dead letters); safe to call twice."""
        if self.gateway is not None:
            await self.gateway.stop()  # no new requests; in-flight ones finish
        if self.websocket is not None:
            await self.websocket.stop()
            self.websocket = None
        if self.iot is not None:
            await self.iot.stop()  # before the runtime: the rules runner invokes through it
            self.iot = None
        if self.bridge is not None:
            await self.bridge.stop()  # drained while moto and the runtime still run
        if self.runtime is not None:
            self.runtime.close()
        children = [child for child in (self.moto, self.redis) if child is not None]
        await asyncio.gather(*(asyncio.to_thread(child.stop) for child in children))
        self._remove_endpoints_file()
        self._restore_environment()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        self.gateway = self.bridge = self.runtime = None
        self.moto = self.redis = None

    def _remove_endpoints_file(self) -> None:
        """A stale endpoints file would point clients at dead ports; remove it if still ours."""
        path, endpoints = self.config.endpoints_file, self.endpoints
        if path is None or endpoints is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if Endpoints.load(path) == endpoints:
                path.unlink()

    def _restore_environment(self) -> None:
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment.clear()


def _boto3_session(region: str) -> Any:
    """A boto3 session with its service models loaded (~0.3 s), made while moto boots."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
    )
    for service in _SERVICES:
        session.client(service, endpoint_url="http://127.0.0.1:9")  # no request: loads models
    return session


def _moto_clients(session: Any, moto_url: str) -> Any:
    @functools.cache
    def client(service: str) -> Any:
        return session.client(service, endpoint_url=moto_url)

    return client


class BackgroundCloud:
    """A ``LocalCloud`` on its own event-loop thread, for synchronous code and tests."""

    def __init__(self, config: CloudConfig | None = None) -> None:
        self.cloud = LocalCloud(config)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="local-cloud", daemon=True
        )

    def __enter__(self) -> BackgroundCloud:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> Endpoints:
        self._thread.start()
        try:
            return self.run(self.cloud.start(), timeout)
        except BaseException:
            self._stop_loop(timeout)  # LocalCloud.start has already stopped what it started
            raise

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the cloud's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def drain_sns(self, timeout: float = 10.0) -> bool:
        assert self.cloud.bridge is not None
        return self.run(self.cloud.bridge.drain(timeout))

    def stop(self, timeout: float = 30.0) -> None:
        if not self._thread.is_alive():
            return
        try:
            self.run(self.cloud.stop(), timeout)
        finally:
            self._stop_loop(timeout)

    def _stop_loop(self, timeout: float) -> None:
        with contextlib.suppress(Exception):
            self.run(_finish_loop(), timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()


async def _finish_loop() -> None:
    """What ``asyncio.run`` does before closing a loop: cancel leftovers, shut executors down."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)
    loop = asyncio.get_running_loop()
    await loop.shutdown_asyncgens()
    await loop.shutdown_default_executor()
