"""One load run end to end: scenario in, report directory out (JSON, summary, plots)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clients.sdk.endpoints import Endpoints
from load.orchestrator import Progress, Runner
from load.plots import write_plots
from load.report import build_report, summary_text, write_report
from load.scenario import Scenario

REPORTS_DIR = Path("load/reports")


def default_report_dir() -> Path:
    return REPORTS_DIR / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def runnable(scenario: Scenario, endpoints: Endpoints, progress: Progress) -> Scenario:
    """The scenario minus the live games when the endpoints name no MQTT broker."""
    if endpoints.mqtt_host is None and any(b.mode == "live" for b in scenario.behaviours):
        progress("no MQTT broker in the endpoints file: live games left out of this run")
        return scenario.without_modes(["live"])
    return scenario


async def run_scenario(
    endpoints: Endpoints,
    scenario: Scenario,
    report_dir: Path,
    progress: Progress,
    seed: int | None = None,
) -> dict[str, Any]:
    if seed is not None:
        scenario = replace(scenario, seed=seed)
    scenario = runnable(scenario, endpoints, progress)
    result = await Runner(endpoints, scenario, progress).run()
    report = build_report(result)
    write_report(report, report_dir)
    report["files"] = [
        str(p) for p in write_plots(result.recorder.samples, report_dir, scenario.name)
    ]
    write_report(report, report_dir)
    progress(summary_text(report))
    return report
