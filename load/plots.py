"""PNG plots of a run: latency over time (every sample) and latency distribution per mode."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402

from load.recorder import Sample  # noqa: E402

OVER_TIME = "latency_over_time.png"
DISTRIBUTION = "latency_distribution.png"


def write_plots(samples: list[Sample], directory: Path, title: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    series: dict[str, list[Sample]] = {}
    for sample in samples:
        series.setdefault(f"{sample.mode}/{sample.action}", []).append(sample)
    return [
        _over_time(series, directory / OVER_TIME, title),
        _distribution(series, directory / DISTRIBUTION, title),
    ]


def _over_time(series: dict[str, list[Sample]], path: Path, title: str) -> Path:
    figure, axes = plt.subplots(figsize=(10, 5))
    for name, samples in sorted(series.items()):
        axes.scatter([s.at for s in samples], [s.ms for s in samples], s=4, label=name, alpha=0.6)
    axes.set(xlabel="seconds into the run (when the unit ended)", ylabel="latency (ms)")
    axes.set_title(f"{title}: latency over time")
    if series:
        axes.set_yscale("log")
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _distribution(series: dict[str, list[Sample]], path: Path, title: str) -> Path:
    figure, axes = plt.subplots(figsize=(10, 5))
    for name, samples in sorted(series.items()):
        ordered = sorted(s.ms for s in samples)
        share = [(i + 1) / len(ordered) * 100 for i in range(len(ordered))]
        axes.plot(ordered, share, label=name)
    axes.set(xlabel="latency (ms)", ylabel="percent of samples at or below")
    axes.set_title(f"{title}: latency distribution per mode")
    if series:
        axes.set_xscale("log")
        axes.legend()
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
