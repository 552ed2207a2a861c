"""`trivia bench`: each figure beside its floor, measured on this machine in this run.

Rows: single answer (100 bots: all at once, then playing for 30 s with a quick human's think
time) first, then per N asked for: hosted broadcast, WebSocket
connect, live scoreboard, MQTT connect. Each row: our p50/p95, the floor's p50/p95, and our
p95 as a multiple of the floor's. The floors are measured right after their figure, so both
see the same machine load.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from clients.sdk.endpoints import Endpoints
from load.bench import figures, floors
from load.bench.timing import p50_p95
from load.report import machine

Progress = Callable[[str], None]
SINGLE_BOTS = 100
SINGLE = "single: all submitting at once (burst)"
SINGLE_PACED = "single: answer round trip (bots playing)"
SAME_PACING = ", same pacing"
HOSTED = "hosted: ask -> player has question"
WS_FLOOR = "bare websockets broadcast"
WS_CONNECT = "connect: WebSocket (k-th of N open)"
WS_CONNECT_FLOOR = "bare websockets connects"
LIVE = "live: winning answer -> player has winner"
MQTT_FLOOR = "raw publish via bare Mosquitto"
MQTT_CONNECT = "connect: MQTT (k-th of N connected)"
MQTT_CONNECT_FLOOR = "raw MQTT connects, bare Mosquitto"


def row(
    name: str, n: int, ours: Sequence[float], floor: Sequence[float], floor_is: str
) -> dict[str, Any]:
    mine, base = p50_p95(ours), p50_p95(floor)
    ratio = None
    if mine["p95_ms"] is not None and base["p95_ms"]:
        ratio = round(float(mine["p95_ms"]) / float(base["p95_ms"]), 2)
    return {
        "figure": name,
        "n": n,
        "samples": mine["n"],
        "p50_ms": mine["p50_ms"],
        "p95_ms": mine["p95_ms"],
        "floor": floor_is,
        "floor_p50_ms": base["p50_ms"],
        "floor_p95_ms": base["p95_ms"],
        "ratio_p95": ratio,
    }


async def run_bench(
    endpoints: Endpoints,
    players: Sequence[int],
    concurrency: int,
    progress: Progress,
    directory: Path | None = None,
    *,
    single_bots: int = SINGLE_BOTS,
    single_seconds: float = figures.PACED_SECONDS,
) -> dict[str, Any]:
    """Every figure and its floor; with ``directory``, the report so far is written after each
    figure, so a long run that is stopped still leaves its finished rows."""
    rows: list[dict[str, Any]] = []
    errors: dict[str, dict[str, int]] = {}
    before = machine()

    def keep() -> None:
        if directory is not None:
            partial = {"rows": rows, "errors": errors, "machine_before": before}
            write({**partial, "machine_after": machine(), "partial": True}, directory)

    progress(f"single, {single_bots} submissions at once ...")
    ours = await figures.single(endpoints, single_bots)
    errors[f"single@{single_bots}"] = ours.errors
    async with floors.echo_endpoint(endpoints) as (url, echo_is):
        echo = await floors.http_echo_floor(url, single_bots)
    rows.append(row(SINGLE, single_bots, ours.samples, echo, echo_is))
    keep()
    progress(f"single, {single_bots} bots playing for {single_seconds:.0f} s ...")
    ours = await figures.single_paced(endpoints, single_bots, seconds=single_seconds)
    errors[f"single-paced@{single_bots}"] = ours.errors
    one_play = len(figures.DEMO_QUIZ["questions"]) * sum(figures.PACED_THINK_MS) / 2000
    async with floors.echo_endpoint(endpoints) as (url, echo_is):
        echo = await floors.http_echo_floor(url, single_bots, 3, pause_seconds=one_play)
    rows.append(row(SINGLE_PACED, single_bots, ours.samples, echo, echo_is + SAME_PACING))
    keep()
    for n in players:
        progress(f"hosted, {n} players ...")
        ours = await figures.hosted(endpoints, n, concurrency)
        floor = await floors.ws_floors(n, concurrency)
        errors[f"hosted@{n}"] = ours.errors
        rows.append(row(HOSTED, n, ours.samples, floor["broadcast"], WS_FLOOR))
        rows.append(row(WS_CONNECT, n, ours.connect, floor["connect"], WS_CONNECT_FLOOR))
        keep()
        if endpoints.mqtt_host is None:
            progress("no MQTT broker in the endpoints file: live rows left out")
            continue
        progress(f"live, {n} players ...")
        ours = await figures.live(endpoints, n, concurrency)
        floor = await floors.mqtt_floors(n, concurrency)
        errors[f"live@{n}"] = ours.errors
        rows.append(row(LIVE, n, ours.samples, floor["broadcast"], MQTT_FLOOR))
        rows.append(row(MQTT_CONNECT, n, ours.connect, floor["connect"], MQTT_CONNECT_FLOOR))
        keep()
    return {"rows": rows, "errors": errors, "machine_before": before, "machine_after": machine()}


def table(report: dict[str, Any]) -> str:
    header = (
        f"{'figure':42} {'N':>5} {'p50':>8} {'p95':>8} {'floor p50':>9} {'floor p95':>9} "
        f"{'x floor':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in report["rows"]:
        lines.append(
            f"{r['figure']:42} {r['n']:5d} {_ms(r['p50_ms'])} {_ms(r['p95_ms'])} "
            f"{_ms(r['floor_p50_ms']):>9} {_ms(r['floor_p95_ms']):>9} "
            f"{'-' if r['ratio_p95'] is None else r['ratio_p95']:>7}"
        )
    m0, m1 = report["machine_before"], report["machine_after"]
    lines.append(
        f"ms; {m0['cpus']} CPUs; load average before {m0['load_average']}, "
        f"after {m1['load_average']}; errors {json.dumps(report['errors'])}"
    )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return f"{'-':>8}" if value is None else f"{value:8.1f}"


def write(report: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "bench.json"
    path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    (directory / "bench.txt").write_text(table(report) + "\n", encoding="utf-8")
    return path
