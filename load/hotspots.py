"""Hot spots of a py-spy profile: ``python -m load.hotspots cloud.txt [--top 25] [--under X]``.

Reads ``py-spy record --format raw`` output (one collapsed stack per line: frames joined by
``;``, outermost first, then a space and the sample count) and prints, per function, the share
of samples it was on the stack for (inclusive) and at the top of (self). py-spy leaves idle
threads out unless asked (``--idle``), so the shares are of the time the process was working;
record with ``--full-filenames`` to see which package a function is in. ``--under`` keeps only
the stacks through a function whose name contains the text (``--under submit_answer``), to see
what one path spends its time on. docs/benchmarks.md names the hot spots this printed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

# a frame: "function (path/to/file.py:123)"; py-spy also writes process and thread frames
_FRAME = re.compile(r"^(?P<function>.+?) \((?P<path>[^():]+)(?::\d+)?\)$")
_INSTALLED = re.compile(r".*/(?:site-packages|dist-packages|lib/python3\.\d+)/")


@dataclass(frozen=True)
class Share:
    function: str
    inclusive: float  # of the samples counted, 0..1
    self_share: float


@dataclass(frozen=True)
class Profile:
    samples: int  # the samples counted
    shares: list[Share]


def frame_name(frame: str) -> str | None:
    """``module.py:function`` for a code frame; None for py-spy's process and thread frames."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return None
    path = match["path"]
    if path.startswith(("0x", "idle")) or "/" not in path and not path.endswith(".py"):
        return None
    return f"{_short(path)}:{match['function']}"


def _short(path: str) -> str:
    """A path from its package on: ``.../site-packages/moto/core/x.py`` -> ``moto/core/x.py``,
    ``.../lib/python3.11/threading.py`` -> ``threading.py``, else its last three parts."""
    installed = _INSTALLED.match(path)
    if installed is not None:
        return path[installed.end():]
    return "/".join(path.split("/")[-3:])


def parse(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    stacks = []
    for line in lines:
        line = line.rstrip("\n")
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [name for frame in stack.split(";") if (name := frame_name(frame)) is not None]
        if frames:
            stacks.append((frames, int(count)))
    return stacks


def summarize(
    stacks: Iterable[tuple[list[str], int]], *, under: str | None = None, top: int = 25
) -> Profile:
    inclusive: Counter[str] = Counter()
    self_samples: Counter[str] = Counter()
    working = 0
    for frames, count in stacks:
        if under is not None:
            cut = next((i for i, name in enumerate(frames) if under in name), None)
            if cut is None:
                continue
            frames = frames[cut:]
        working += count
        for name in set(frames):
            inclusive[name] += count
        self_samples[frames[-1]] += count
    total = max(1, working)
    shares = [
        Share(name, samples / total, self_samples[name] / total)
        for name, samples in inclusive.most_common(top)
    ]
    return Profile(working, shares)


def render(profile: Profile) -> str:
    lines = [f"{profile.samples} samples",
             f"{'incl':>6} {'self':>6}  function"]
    lines += [f"{share.inclusive:6.1%} {share.self_share:6.1%}  {share.function}"
              for share in profile.shares]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m load.hotspots", description=__doc__.split(
        "\n")[0])
    parser.add_argument("profile", type=Path, help="py-spy record --format raw output")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--under", help="only stacks through a function containing this")
    options = parser.parse_args(argv)
    with options.profile.open(encoding="utf-8", errors="replace") as lines:
        profile = summarize(parse(lines), under=options.under, top=options.top)
    print(render(profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
