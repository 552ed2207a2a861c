"""Child processes of the local cloud: started so that they never outlive it.

Each child gets ``PR_SET_PDEATHSIG`` (Linux): the kernel kills it when the thread that started it
dies, even if the local cloud is SIGKILLed and has no chance to clean up. So children must be
spawned from a long-lived thread (the main thread or the event-loop thread), never from a
short-lived worker thread. Children run in their own process group, so a Ctrl-C in the terminal
reaches only the local cloud, which then stops them in order.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

_PR_SET_PDEATHSIG = 1
# Resolved at import time: nothing that may allocate or take a lock should run between fork and
# exec, where the preexec function runs while other threads' locks may be held.
_prctl: Any = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    def preexec() -> None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        # The parent may have died between fork and prctl; then nobody would ever signal us.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
) -> subprocess.Popen[bytes]:
    """Start ``argv`` as a child that is killed when this process (thread) dies."""
    preexec = _die_with_parent(os.getpid()) if _prctl is not None else None
    return subprocess.Popen(  # noqa: S603 (argv built by the local cloud, no shell)
        list(argv),
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        preexec_fn=preexec,  # noqa: PLW1509 (only prctl + getppid; see _prctl)
        process_group=0,
        close_fds=True,
    )


def stop(process: subprocess.Popen[bytes] | None, timeout: float = 5.0) -> None:
    """SIGTERM, wait up to ``timeout``, then SIGKILL. Safe to call twice."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()


def free_port() -> int:
    """A port that was free a moment ago, for servers that cannot bind port 0 and report it.

    Another process may take it before the server binds; callers retry on a failed start.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
