"""`trivia account`: register, log in, log out, who am I.

The session (tokens) is kept per user pool in the credentials file (``~/.trivia/credentials.json``
or ``$TRIVIA_CREDENTIALS_FILE``), so other commands act as the logged-in player.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from clients.cli.support import (
    credential_store,
    emit_fields,
    emit_json,
    endpoints_option,
    json_option,
    load_endpoints,
    logged_in_client,
    run,
    stderr,
)
from clients.sdk.client import TriviaClient
from clients.sdk.credentials import Session
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import NotAuthorized

F = TypeVar("F", bound=Callable[..., Any])

PROFILE_FIELDS = (
    "username",
    "player_id",
    "display_name",
    "location",
    "real_name",
    "experience",
    "level",
    "next_level_at",
    "wins",
    "wallet",
)


def _password_option(*, confirm: bool) -> Callable[[F], F]:
    return click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=confirm,
        envvar="TRIVIA_PASSWORD",
        help="Asked for when omitted; or set TRIVIA_PASSWORD.",
    )


@click.group()
def account() -> None:
    """Register, log in and out, and show who is logged in."""


@account.command()
@click.option("--username", prompt=True, help="3-32 of letters, digits, _ . -")
@click.option("--email", prompt=True)
@_password_option(confirm=True)
@click.option("--login/--no-login", default=True, help="Log in right after [default: on].")
@endpoints_option
@json_option
def register(
    username: str,
    email: str,
    password: str,
    login: bool,
    endpoints_file: Path | None,
    as_json: bool,
) -> None:
    """Create an account (usable at once)."""
    endpoints = load_endpoints(endpoints_file)
    created = run(_register(endpoints, username, email, password, login))
    if as_json:
        emit_json(created)
        return
    click.echo(f"Registered {created['username']} (player id {created['player_id']}).")
    if login:
        click.echo(f"Logged in as {created['username']}.")


async def _register(
    endpoints: Endpoints, username: str, email: str, password: str, login: bool
) -> dict[str, str]:
    async with TriviaClient(endpoints) as client:
        created = await client.register(username, email, password)
        if login:
            tokens = await client.login(username, password)
            credential_store().save(endpoints.user_pool_id, Session(username, tokens))
    return created


@account.command()
@click.option("--username", prompt=True)
@_password_option(confirm=False)
@endpoints_option
def login(username: str, password: str, endpoints_file: Path | None) -> None:
    """Log in and keep the session for the other commands."""
    endpoints = load_endpoints(endpoints_file)
    run(_login(endpoints, username, password))
    click.echo(f"Logged in as {username}.")


async def _login(endpoints: Endpoints, username: str, password: str) -> None:
    async with TriviaClient(endpoints) as client:
        tokens = await client.login(username, password)
    credential_store().save(endpoints.user_pool_id, Session(username, tokens))


@account.command()
@endpoints_option
def logout(endpoints_file: Path | None) -> None:
    """Sign out everywhere (revokes the session's tokens) and forget the session."""
    endpoints = load_endpoints(endpoints_file)
    store = credential_store()
    session = store.load(endpoints.user_pool_id)
    if session is None:
        click.echo("Not logged in.")
        return
    try:
        run(_sign_out(endpoints, session))
    finally:
        # Forget the session even when the server could not be told: the user asked to log out.
        store.delete(endpoints.user_pool_id)
    click.echo(f"Logged out {session.username}.")


async def _sign_out(endpoints: Endpoints, session: Session) -> None:
    async with TriviaClient(endpoints, tokens=session.tokens) as client:
        try:
            await client.logout()
        except NotAuthorized:
            stderr("(the session had already ended on the server)")


@account.command()
@endpoints_option
@json_option
def whoami(endpoints_file: Path | None, as_json: bool) -> None:
    """Show the logged-in player's profile."""
    endpoints = load_endpoints(endpoints_file)
    profile = run(_profile(endpoints))
    if as_json:
        emit_json(profile)
    else:
        emit_fields(profile, PROFILE_FIELDS)


async def _profile(endpoints: Endpoints) -> dict[str, object]:
    async with logged_in_client(endpoints) as client:
        return await client.get_profile()
