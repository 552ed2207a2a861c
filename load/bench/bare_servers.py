"""Bare servers for the floors, each run in its own process (``python -m load.bench.bare_servers``).

- ``ws``: a bare ``websockets`` server: any text frame from a client is broadcast, as is, to
  every connected client (``websockets.broadcast``), like the host's ask reaching the players;
- ``echo``: a bare aiohttp server answering ``POST /echo`` with the request body, no work.

Each prints its port on stdout once listening, and runs until killed or ``--seconds`` pass.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiohttp import web
from websockets.asyncio.server import ServerConnection, broadcast, serve


async def _ws(seconds: float) -> None:
    clients: set[ServerConnection] = set()

    async def handler(connection: ServerConnection) -> None:
        clients.add(connection)
        try:
            async for message in connection:
                broadcast(clients, message)
        finally:
            clients.discard(connection)

    async with serve(handler, "127.0.0.1", 0, ping_interval=None, max_queue=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(port, flush=True)
        await asyncio.sleep(seconds)


async def _echo(seconds: float) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read(), content_type="application/json")

    app = web.Application()
    app.router.add_post("/echo", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(port, flush=True)
    await asyncio.sleep(seconds)
    await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["ws", "echo"])
    parser.add_argument("--seconds", type=float, default=900.0)
    args = parser.parse_args(argv)
    server = _ws if args.kind == "ws" else _echo
    try:
        asyncio.run(server(args.seconds))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
