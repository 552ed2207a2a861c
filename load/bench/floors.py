"""The floors: the same work done by the parts we did not write, with nothing of ours on the path.

- ``ws_broadcast``: N raw ``websockets`` clients of a bare websockets server (own process); one
  more client sends a frame, which the server broadcasts; per client, send -> receive;
- ``ws_connect``: N raw websockets connections to that server, ``concurrency`` at a time; when
  the k-th one is open, from the start;
- ``mqtt_fanout``: N raw MQTT 5 subscribers (awscrt, as the SDK) of a bare Mosquitto (the same
  binary and network settings, its own process, anonymous, no plugin); a raw QoS 1 publish; per
  subscriber, publish -> receive (stamped in awscrt's callback, as ``LiveMessage.received_at`` is);
- ``http_echo``: ``bots`` concurrent clients each POSTing to an echo route; per request, the
  round trip. The route is the local gateway's own ``POST /_local/echo`` (the same server, loop
  and process as the API's routes, no handler: ``echo_endpoint``); against a stack on AWS, which
  has none, a bare aiohttp echo server on loopback.

Every bare server is a child process started here and stopped here, by its pid.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp
from awscrt import io, mqtt5
from websockets.asyncio.client import ClientConnection, connect

from clients.sdk.endpoints import Endpoints
from infra.local.http_gateway import ECHO_PATH
from infra.local.mosquitto import mosquitto_binary
from infra.local.processes import free_port

ROUNDS = 5
CONNECT_TIMEOUT = 30.0
RECEIVE_TIMEOUT = 30.0
BODY = json.dumps({"answers": {f"q{i}": "Mars" for i in range(5)}, "pad": "x" * 200})


@contextmanager
def bare_server(kind: str) -> Iterator[int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "load.bench.bare_servers", kind],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)


async def _bounded_connect(port: int, n: int, concurrency: int) -> tuple[list, list[float]]:
    gate = asyncio.Semaphore(concurrency)
    started = time.perf_counter()
    opened: list[float] = []

    async def one() -> ClientConnection:
        async with gate:
            connection = await connect(
                f"ws://127.0.0.1:{port}", ping_interval=None, open_timeout=CONNECT_TIMEOUT
            )
            opened.append((time.perf_counter() - started) * 1000)
            return connection

    return list(await asyncio.gather(*(one() for _ in range(n)))), opened


async def ws_floors(n: int, concurrency: int) -> dict[str, list[float]]:
    """Per-delivery broadcast latencies and the connect marks, in ms."""
    with bare_server("ws") as port:
        clients, opened = await _bounded_connect(port, n, concurrency)
        sender = await connect(f"ws://127.0.0.1:{port}", ping_interval=None)
        samples: list[float] = []
        try:
            for round_number in range(ROUNDS):
                sent = time.perf_counter()
                await sender.send(json.dumps({"type": "question", "round": round_number}))
                received = await asyncio.gather(*(_receive_at(c) for c in clients))
                await sender.recv()  # its own copy
                samples.extend((at - sent) * 1000 for at in received)
        finally:
            await asyncio.gather(*(c.close() for c in [*clients, sender]))
    return {"broadcast": samples, "connect": opened}


async def _receive_at(connection: ClientConnection) -> float:
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        await connection.recv()
    return time.perf_counter()


@contextmanager
def bare_mosquitto() -> Iterator[int]:
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "bare.conf"
        config.write_text(
            # the local cloud's broker's network settings (infra/local/mosquitto.py), no plugin
            f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 100000\n"
            "max_inflight_messages 100\nset_tcp_nodelay true\n",
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_listening(port)
            yield port
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"bare mosquitto did not listen on {port}")


class _Subscriber:
    """One raw MQTT 5 client; ``arrivals`` gets a perf_counter stamp per message, thread-safe."""

    def __init__(self, port: int, client_id: str, bootstrap: io.ClientBootstrap) -> None:
        self.connected = threading.Event()
        self.arrivals: list[float] = []
        self.lock = threading.Lock()
        options = mqtt5.ClientOptions(
            host_name="127.0.0.1",
            port=port,
            bootstrap=bootstrap,
            connect_options=mqtt5.ConnectPacket(client_id=client_id, keep_alive_interval_sec=60),
            on_publish_callback_fn=self._on_publish,
            on_lifecycle_event_connection_success_fn=lambda _: self.connected.set(),
        )
        self.client = mqtt5.Client(options)

    def _on_publish(self, _data: mqtt5.PublishReceivedData) -> None:
        now = time.perf_counter()
        with self.lock:
            self.arrivals.append(now)


async def mqtt_floors(n: int, concurrency: int) -> dict[str, list[float]]:
    """Per-delivery fan-out latencies and the connect marks, in ms."""
    bootstrap = io.ClientBootstrap.get_or_create_static_default()
    topic = "bench/fanout"
    with bare_mosquitto() as port:
        gate = asyncio.Semaphore(concurrency)
        started = time.perf_counter()
        opened: list[float] = []

        async def one(index: int) -> _Subscriber:
            async with gate:
                subscriber = _Subscriber(port, f"floor-{index}", bootstrap)
                subscriber.client.start()
                ok = await asyncio.to_thread(subscriber.connected.wait, CONNECT_TIMEOUT)
                if not ok:
                    raise RuntimeError("a raw MQTT subscriber did not connect")
                opened.append((time.perf_counter() - started) * 1000)
                packet = mqtt5.SubscribePacket([mqtt5.Subscription(topic, mqtt5.QoS.AT_LEAST_ONCE)])
                await asyncio.wrap_future(subscriber.client.subscribe(packet))
                return subscriber

        subscribers = list(await asyncio.gather(*(one(i) for i in range(n))))
        publisher = _Subscriber(port, "floor-publisher", bootstrap)
        publisher.client.start()
        await asyncio.to_thread(publisher.connected.wait, CONNECT_TIMEOUT)
        samples: list[float] = []
        try:
            for round_number in range(ROUNDS):
                body = json.dumps({"type": "winner", "round": round_number}).encode()
                sent = time.perf_counter()
                publish = mqtt5.PublishPacket(
                    topic=topic, payload=body, qos=mqtt5.QoS.AT_LEAST_ONCE
                )
                await asyncio.wrap_future(publisher.client.publish(publish))
                await _all_arrived(subscribers, round_number + 1)
                samples.extend((s.arrivals[round_number] - sent) * 1000 for s in subscribers)
        finally:
            for client in [*subscribers, publisher]:
                client.client.stop()
    return {"broadcast": samples, "connect": opened}


async def _all_arrived(subscribers: list[_Subscriber], count: int) -> None:
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        while any(len(s.arrivals) < count for s in subscribers):
            await asyncio.sleep(0.005)


GATEWAY_ECHO = "echo route, same gateway (no handler)"
BARE_ECHO = "bare aiohttp echo, loopback"


@asynccontextmanager
async def echo_endpoint(endpoints: Endpoints) -> AsyncIterator[tuple[str, str]]:
    """(URL, what it is): the HTTP API's own gateway echo when it answers one (``trivia up``),
    else a bare aiohttp echo server started for the floor (a stack on AWS has no echo route)."""
    url = endpoints.http_api_url.rstrip("/") + ECHO_PATH
    if await _echoes(url):
        yield url, GATEWAY_ECHO
        return
    with bare_server("echo") as port:
        yield f"http://127.0.0.1:{port}/echo", BARE_ECHO


async def _echoes(url: str) -> bool:
    try:
        async with aiohttp.ClientSession() as session, session.post(
            url, data=BODY, timeout=aiohttp.ClientTimeout(total=5)
        ) as response:
            return response.status == 200 and await response.read() == BODY.encode()
    except (aiohttp.ClientError, TimeoutError):
        return False


async def http_echo_floor(url: str, bots: int, requests_per_bot: int = 5,
                          pause_seconds: float = 0.0) -> list[float]:
    """Round trips of ``bots`` concurrent clients, each sending one request after another;
    with ``pause_seconds``, each first waits a random part of it, then pauses that long between
    requests (the paced single figure's rhythm)."""
    connector = aiohttp.TCPConnector(limit=bots)
    async with aiohttp.ClientSession(connector=connector) as session:
        samples = await asyncio.gather(
            *(_echo_bot(session, url, requests_per_bot, pause_seconds, random.Random(i))
              for i in range(bots))
        )
    return [ms for bot in samples for ms in bot]


async def _echo_bot(session: aiohttp.ClientSession, url: str, count: int, pause: float,
                    rng: random.Random) -> list[float]:
    samples = []
    await asyncio.sleep(rng.uniform(0, pause))
    for index in range(count):
        if index:
            await asyncio.sleep(pause)
        started = time.perf_counter()
        async with session.post(url, data=BODY, headers={"content-type": "application/json"}) as r:
            await r.read()
        samples.append((time.perf_counter() - started) * 1000)
    return samples
