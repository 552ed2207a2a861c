"""A run's report: the JSON document, and the one-screen text summary.

Throughput is samples per second of the whole run (from the first unit start to the last unit's
end); ``players`` counts every virtual player started, hosts included.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import psutil

from load.orchestrator import RunResult

REPORT_FILE = "report.json"
SUMMARY_FILE = "summary.txt"


def machine() -> dict[str, Any]:
    load1, load5, load15 = psutil.getloadavg()
    return {
        "cpus": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(load1, 2), round(load5, 2), round(load15, 2)],
    }


def build_report(result: RunResult) -> dict[str, Any]:
    modes = result.recorder.modes()
    for mode, actions in modes.items():
        for stats in actions.values():
            count = stats["count"]
            stats["throughput_per_s"] = round(count / result.seconds, 2) if result.seconds else 0
        actions["_totals"] = {
            "units": result.units_by_mode.get(mode, 0),
            "players": result.players_by_mode.get(mode, 0),
            "answers": result.answers_by_mode.get(mode, 0),
            "errors": sum(a["errors"] for name, a in actions.items() if name != "_totals"),
        }
    redis = dict(result.redis)
    return {
        "scenario": result.scenario.name,
        "seed": result.scenario.seed,
        "run_id": result.run_id,
        "seconds": result.seconds,
        "units": {"started": result.units_started, "finished": result.units_finished},
        "peak_players": result.peak_players,
        "players_by_phase": players_by_phase(result),
        "dropped_and_resumed": result.dropped,
        "errors": result.recorder.errors,
        "modes": modes,
        "cloud": result.cloud,
        "redis": redis,
        "dynamodb": dict(result.dynamodb),
        "machine": machine(),
    }


def players_by_phase(result: RunResult) -> dict[str, dict[str, int]]:
    """Per phase, the fewest and most players in running units, and in play (connected to a
    game or playing; not registering, not being verified)."""
    phases: dict[str, dict[str, int]] = {}
    start = 0.0
    for phase in result.scenario.phases:
        end = start + phase.seconds
        inside = [(players, in_play) for at, players, in_play in result.held if start <= at < end]
        if inside:
            phases[phase.name] = {
                "players_min": min(players for players, _ in inside),
                "players_max": max(players for players, _ in inside),
                "in_play_min": min(in_play for _, in_play in inside),
                "in_play_max": max(in_play for _, in_play in inside),
            }
        start = end
    return phases


def summary_text(report: dict[str, Any]) -> str:
    lines = [
        f"scenario {report['scenario']} (seed {report['seed']}, run {report['run_id']}): "
        f"{report['seconds']} s, {report['units']['finished']}/{report['units']['started']} units, "
        f"peak {report['peak_players']} players, {report['errors']} errors",
        "players (in units / in play), per phase: " + "; ".join(
            f"{name} {p['players_min']}-{p['players_max']} / {p['in_play_min']}-{p['in_play_max']}"
            for name, p in report["players_by_phase"].items()),
        f"{'mode':8} {'action':11} {'count':>7} {'err':>5} {'p50':>8} {'p90':>8} {'p95':>8} "
        f"{'p99':>8} {'max':>8} {'/s':>7}",
    ]
    for mode, actions in report["modes"].items():
        for action, stats in actions.items():
            if action == "_totals":
                continue
            lines.append(
                f"{mode:8} {action:11} {stats['count']:7d} {stats['errors']:5d} "
                + " ".join(_ms(stats[key]) for key in ("p50_ms", "p90_ms", "p95_ms", "p99_ms"))
                + f" {_ms(stats['max_ms'])} {stats['throughput_per_s']:7.1f}"
            )
            for code, count in stats["errors_by_code"].items():
                lines.append(f"{'':21}{count:5d} x {code}")
            for code, count in stats["expected_refusals"].items():
                lines.append(f"{'':21}{count:5d} x {code} (late answerers: expected)")
    cloud, redis = report["cloud"], report["redis"]
    if cloud.get("available"):
        lines.append(
            f"cloud: {cloud['cpu_seconds']} CPU s ({cloud['cpu_cores_busy']} cores), RSS "
            f"{cloud['rss_start_mb']} -> peak {cloud['rss_peak_mb']} MB, "
            f"{cloud['memory_per_player_kb']} KB/player ({', '.join(cloud['processes'])})"
        )
    else:
        lines.append(f"cloud: not measured ({cloud.get('why')})")
    if redis.get("available"):
        lines.append(
            f"redis: {redis['commands']} commands, {redis['commands_per_answer']} per answer "
            f"({redis['answers']} answers)"
        )
    dynamodb = report["dynamodb"]
    if dynamodb.get("available"):
        lines.append(
            f"dynamodb: {dynamodb['calls']} calls, {dynamodb['calls_per_answer']} per answer "
            f"({dynamodb['answers']} answers)"
        )
    lines.append(
        f"machine: {report['machine']['cpus']} CPUs, load {report['machine']['load_average']}"
    )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return f"{'-':>8}" if value is None else f"{value:8.1f}"


def write_report(report: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / REPORT_FILE).write_text(json.dumps(report, indent=2), encoding="utf-8")
    (directory / SUMMARY_FILE).write_text(summary_text(report) + "\n", encoding="utf-8")
    return directory / REPORT_FILE
