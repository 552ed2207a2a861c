"""The local cloud's side of a run: its processes' CPU and memory, and Redis's command counts.

Processes are found by the loopback ports in the endpoints file (HTTP and WebSocket gateways,
moto, Redis, Mosquitto): whoever listens on them, plus their children. CPU is the sum of user
and system time over the run; memory is the peak of the summed RSS, sampled every tick, and
memory per player is its growth over the run divided by the peak of concurrent players.
Redis commands come from ``INFO commandstats`` before and after (its own ``INFO`` calls are
left out); DynamoDB calls from the local moto's request counts before and after. On AWS (no
local ports, no Redis URL reachable, no moto) each part says it is unavailable.
"""

from __future__ import annotations

import contextlib
import json
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import psutil
import redis

from clients.sdk.endpoints import Endpoints
from infra.local.moto_server import REQUESTS_PATH

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


def endpoint_ports(endpoints: Endpoints) -> set[int]:
    """Loopback ports named in the endpoints file."""
    ports: set[int] = set()
    for url in (
        endpoints.http_api_url,
        endpoints.websocket_url,
        endpoints.aws_endpoint_url,
        endpoints.cognito_endpoint_url,
        endpoints.redis_url,
        endpoints.mqtt_ws_url,
    ):
        if url:
            parts = urlsplit(url)
            if parts.hostname in LOOPBACK and parts.port:
                ports.add(parts.port)
    if endpoints.mqtt_port and (endpoints.mqtt_host or "127.0.0.1") in LOOPBACK:
        ports.add(endpoints.mqtt_port)
    return ports


def cloud_processes(ports: Iterable[int]) -> list[psutil.Process]:
    """The processes listening on ``ports``, and their children."""
    wanted = set(ports)
    pids: set[int] = set()
    with contextlib.suppress(psutil.AccessDenied):
        for conn in psutil.net_connections(kind="inet"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port in wanted:
                if conn.pid:
                    pids.add(conn.pid)
    found: dict[int, psutil.Process] = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            found[pid] = process
            for child in process.children(recursive=True):
                found[child.pid] = child
    return list(found.values())


@dataclass
class ProcessProbe:
    processes: list[psutil.Process]
    cpu_start: dict[int, float] = field(default_factory=dict)
    rss_start: int = 0
    rss_peak: int = 0
    peak_players: int = 0

    @classmethod
    def start(cls, endpoints: Endpoints) -> ProcessProbe:
        probe = cls(cloud_processes(endpoint_ports(endpoints)))
        probe.cpu_start = probe._cpu()
        probe.rss_start = probe._rss()
        probe.rss_peak = probe.rss_start
        return probe

    def sample(self, players: int) -> None:
        rss = self._rss()
        self.peak_players = max(self.peak_players, players)
        self.rss_peak = max(self.rss_peak, rss)

    def summary(self, seconds: float) -> dict[str, Any]:
        if not self.processes:
            return {"available": False, "why": "no local process listens on the endpoints' ports"}
        cpu_end = self._cpu()
        cpu = sum(cpu_end.get(pid, 0.0) - start for pid, start in self.cpu_start.items())
        grown = max(0, self.rss_peak - self.rss_start)
        return {
            "available": True,
            "processes": sorted({_name(p) for p in self.processes}),
            "pids": sorted(p.pid for p in self.processes),
            "cpu_seconds": round(cpu, 2),
            "cpu_cores_busy": round(cpu / seconds, 2) if seconds > 0 else None,
            "rss_start_mb": round(self.rss_start / 2**20, 1),
            "rss_peak_mb": round(self.rss_peak / 2**20, 1),
            "peak_players": self.peak_players,
            "memory_per_player_kb": (
                round(grown / 1024 / self.peak_players, 1) if self.peak_players else None
            ),
        }

    def _cpu(self) -> dict[int, float]:
        times: dict[int, float] = {}
        for process in self.processes:
            with contextlib.suppress(psutil.Error):
                cpu = process.cpu_times()
                times[process.pid] = cpu.user + cpu.system
        return times

    def _rss(self) -> int:
        total = 0
        for process in self.processes:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total


def _name(process: psutil.Process) -> str:
    try:
        return process.name()
    except psutil.Error:
        return "?"


@dataclass
class RedisProbe:
    client: redis.Redis | None
    start: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, endpoints: Endpoints) -> RedisProbe:
        if not endpoints.redis_url:
            return cls(None)
        client = redis.Redis.from_url(endpoints.redis_url, socket_timeout=2.0)
        probe = cls(client)
        try:
            probe.start = probe._calls()
        except redis.RedisError:
            probe.client = None
        return probe

    def summary(self, answers: int) -> dict[str, Any]:
        if self.client is None:
            return {"available": False, "why": "no reachable Redis URL in the endpoints file"}
        try:
            end = self._calls()
        finally:
            self.client.close()
        return _per_answer(self.start, end, answers, "commands", "by_command")

    def _calls(self) -> dict[str, int]:
        assert self.client is not None
        stats = self.client.info("commandstats")
        calls = {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
        calls.pop("info", None)
        return calls


@dataclass
class DynamoDbProbe:
    """DynamoDB calls during a run, by operation, from the local moto's request counts
    (``GET <aws_endpoint_url>/_local/requests``, ``infra/local/moto_server.py``)."""

    url: str | None
    start: dict[str, int] = field(default_factory=dict)
    why: str = ""

    @classmethod
    def open(cls, endpoints: Endpoints) -> DynamoDbProbe:
        if not endpoints.aws_endpoint_url:
            return cls(None, why="no local moto in the endpoints file (on AWS: the tables' "
                       "CloudWatch metrics)")
        probe = cls(endpoints.aws_endpoint_url.rstrip("/") + REQUESTS_PATH)
        try:
            probe.start = probe._calls()
        except (OSError, ValueError) as error:
            return cls(None, why=f"the local moto's request counts are unreachable: {error}")
        return probe

    def summary(self, answers: int) -> dict[str, Any]:
        if self.url is None:
            return {"available": False, "why": self.why}
        try:
            end = self._calls()
        except (OSError, ValueError) as error:
            return {"available": False, "why": f"the local moto's request counts: {error}"}
        return _per_answer(self.start, end, answers, "calls", "by_operation")

    def _calls(self) -> dict[str, int]:
        assert self.url is not None
        with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310 (loopback)
            counts = json.loads(response.read())
        return {operation.removeprefix(DYNAMODB): int(n) for operation, n in counts.items()
                if operation.startswith(DYNAMODB)}


DYNAMODB = "dynamodb "  # moto_server counts "<service> <operation>"


def _per_answer(start: dict[str, int], end: dict[str, int], answers: int, noun: str,
                breakdown: str) -> dict[str, Any]:
    """What the run added to each counter, the total, and the total per answer."""
    delta = {k: end.get(k, 0) - start.get(k, 0) for k in end}
    delta = {k: v for k, v in sorted(delta.items()) if v > 0}
    total = sum(delta.values())
    return {
        "available": True,
        noun: total,
        breakdown: delta,
        "answers": answers,
        f"{noun}_per_answer": round(total / answers, 2) if answers else None,
    }
