"""The list of `trivia` command groups. Add a group here when you add a command module."""

from __future__ import annotations

import click


def all_commands() -> list[click.Command]:
    commands: list[click.Command] = []
    return commands
