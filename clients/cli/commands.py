"""The list of `trivia` command groups. Add a group here when you add a command module."""

from __future__ import annotations

import click


def all_commands() -> list[click.Command]:
    from clients.cli.account import account
    from clients.cli.bench import bench
    from clients.cli.demo import demo
    from clients.cli.load import load
    from clients.cli.quiz import quiz
    from clients.cli.up import up

    commands: list[click.Command] = [account, quiz, demo, up, load, bench]
    return commands
