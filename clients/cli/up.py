"""`trivia up`: start the local cloud on 127.0.0.1 and run it until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from clients.sdk.endpoints import DEFAULT_ENDPOINTS_FILE

if TYPE_CHECKING:
    from infra.local.cloud import LocalCloud


@click.command("up")
@click.option(
    "--endpoints-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_ENDPOINTS_FILE,
    show_default=True,
    help="Where to write the endpoints clients read, once ready.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".trivia"),
    show_default=True,
    help="Redis files and dead letters; one running cloud per data dir.",
)
@click.option("--no-seed", is_flag=True, help="Start with no sample quizzes.")
@click.option(
    "--http-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="The HTTP API's port (0: a free port).",
)
@click.option(
    "--region",
    default="us-east-1",
    show_default=True,
    help="The region handlers, resources and tokens use.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 1024),
    default=32,
    show_default=True,
    help="Lambda worker threads.",
)
def up(
    endpoints_file: Path,
    data_dir: Path,
    no_seed: bool,
    http_port: int,
    region: str,
    workers: int,
) -> None:
    """Start the local cloud: moto, Redis, Mosquitto and the HTTP, WebSocket and MQTT endpoints."""
    started = time.monotonic()
    # moto's import is the long pole: spawn it before importing the rest, so it boots meanwhile.
    from infra.local.moto_server import start_moto

    moto = start_moto()
    from infra.local.cloud import CloudConfig, CloudError, LocalCloud

    config = CloudConfig(
        data_dir=data_dir,
        endpoints_file=endpoints_file,
        region=region,
        http_port=http_port,
        workers=workers,
        seed=not no_seed,
    )
    try:
        asyncio.run(_serve(LocalCloud(config, moto=moto), started))
    except CloudError as error:
        raise click.ClickException(str(error)) from None


async def _serve(cloud: LocalCloud, started: float) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    await cloud.start()
    try:
        _print_ready(cloud, time.monotonic() - started)
        await stopping.wait()
        click.echo("Stopping the local cloud...", err=True)
    finally:
        await cloud.stop()


def _optional_line(label: str, value: str | None) -> list[str]:
    return [f"  {label:<11} {value}"] if value else []


def _print_ready(cloud: LocalCloud, seconds: float) -> None:
    endpoints = cloud.endpoints
    assert endpoints is not None
    lines = [
        f"Local cloud ready in {seconds:.2f} s",
        f"  HTTP API    {endpoints.http_api_url}",
        *_optional_line("WebSocket", endpoints.websocket_url),
        *_optional_line(
            "MQTT",
            endpoints.mqtt_host and f"{endpoints.mqtt_host}:{endpoints.mqtt_port}"
            f"  websockets {endpoints.mqtt_ws_url}",
        ),
        f"  Cognito     {endpoints.cognito_endpoint_url}  pool {endpoints.user_pool_id}"
        f"  client {endpoints.user_pool_client_id}",
        f"  AWS (moto)  {endpoints.aws_endpoint_url}  region {endpoints.region}",
        f"  Redis       {endpoints.redis_url}",
        f"  Data        {endpoints.data_dir}",
        f"  Endpoints   {cloud.config.endpoints_file}",
    ]
    if cloud.seed_result is not None:
        lines.append(
            f"  Seeded      {cloud.seed_result.created} quizzes "
            f"({cloud.seed_result.activated} active), author quizmaster"
        )
    elif cloud.config.seed and cloud.seed_error is None:
        lines.append(f"  Seeded      nothing: no quizzes in {cloud.config.seed_dir}")
    click.echo("\n".join(lines))
    if cloud.seed_error:
        click.echo(f"Warning: {cloud.seed_error}", err=True)
    if cloud.iot is None and cloud.wiring is not None and cloud.wiring.iot_rules:
        from infra.local.mosquitto import INSTALL_HINT

        click.echo(f"Warning: {INSTALL_HINT}; running without live games.", err=True)
    click.echo("Press Ctrl-C to stop.")
