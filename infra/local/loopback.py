"""The local cloud's HTTP parts (the HTTP API gateway, the @connections API, the iot-data
endpoint, the SNS bridge) each serve one aiohttp application on loopback, the same way."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class LoopbackSite:
    """An aiohttp application on ``127.0.0.1``; port 0 takes a free one. No signal handlers:
    the local cloud's supervisor owns the process's signals."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self, app: web.Application, port: int = 0, **runner_options: Any) -> int:
        """Serve ``app``; returns the port it listens on. ``runner_options``: the access log."""
        self._runner = web.AppRunner(app, handle_signals=False, **runner_options)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
