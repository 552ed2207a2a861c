"""`trivia`: the command-line entry point. Each command group lives in its own module."""

from __future__ import annotations

import logging

import click


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug output to stderr.")
def cli(verbose: bool) -> None:
    """Simple Trivia Service: local cloud, accounts, quiz admin, demos and load tests."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    _register_commands()
    cli()


def _register_commands() -> None:
    """Import command modules lazily so `trivia --help` stays fast."""
    from clients.cli import commands

    for command in commands.all_commands():
        cli.add_command(command)


if __name__ == "__main__":
    main()
