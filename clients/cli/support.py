"""What every `trivia` client command shares: options, the logged-in client, output, errors.

SDK errors end a command with ``error: <code>: <message>`` on stderr and exit status 1, never
a traceback: the code is what a script branches on, the message what a person reads.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import click
import uvloop
from pydantic import ValidationError

from clients.sdk.client import TriviaClient
from clients.sdk.credentials import CredentialStore, Session, default_credentials_path
from clients.sdk.endpoints import DEFAULT_ENDPOINTS_FILE, Endpoints
from clients.sdk.errors import ApiError, NotLoggedIn, SessionExpired, TriviaError
from clients.sdk.tokens import Tokens

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

# The bots' GIL switch interval (Python's default is 5 ms): see run_bots.
BOTS_SWITCH_INTERVAL_SECONDS = 0.0005


class CommandFailed(click.ClickException):
    """An error with a stable code, shown as ``error: <code>: <message>`` (exit status 1)."""

    def __init__(self, code: str, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.problems = list(problems)

    def format_message(self) -> str:
        lines = [f"{self.code}: {self.message}", *(f"  - {p}" for p in self.problems)]
        return "\n".join(lines)

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


def failure_from(error: TriviaError) -> CommandFailed:
    message = error.message
    if isinstance(error, NotLoggedIn | SessionExpired):
        message = f"{message}: run `trivia account login` first"
    problems = []
    if isinstance(error, ApiError):
        for problem in error.details.get("problems") or []:
            if isinstance(problem, Mapping):
                problems.append(f"{problem.get('field', '?')}: {problem.get('problem', '?')}")
    return CommandFailed(error.code, message, problems)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; SDK errors become ``CommandFailed``."""
    try:
        return run_bots(coroutine)
    except TriviaError as error:
        raise failure_from(error) from None


def run_bots(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on uvloop, with a short GIL switch interval: a demo, a load run or a bench
    drives every bot from this one event loop, and at 1,000 players that loop was the larger
    part of the measured latencies (docs/benchmarks.md). The floors of ``trivia bench`` run on
    it too.

    The switch interval: awscrt delivers each MQTT message on its own threads, which then need
    the GIL to hand it to the loop; with Python's default (5 ms) each such hand-off waited for
    the loop's thread to give the GIL up, and 3,000 deliveries a question queued behind one
    another (live at 1,000 players: p50 457 -> 252 ms, p95 684 -> 419 ms with 0.5 ms)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(BOTS_SWITCH_INTERVAL_SECONDS)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(coroutine)
    finally:
        sys.setswitchinterval(previous)


# ---------------------------------------------------------------- options


def endpoints_option(command: F) -> F:
    return click.option(
        "--endpoints-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Endpoints file [default: $TRIVIA_ENDPOINTS_FILE or {DEFAULT_ENDPOINTS_FILE}].",
    )(command)


def json_option(command: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON instead of a readable table."
    )(command)


def load_endpoints(path: Path | None) -> Endpoints:
    try:
        return Endpoints.load(path)
    except FileNotFoundError as exc:
        raise CommandFailed("no_endpoints", str(exc)) from None
    except (ValueError, ValidationError) as exc:
        raise CommandFailed("bad_endpoints", f"unreadable endpoints file: {exc}") from None


def read_json_file(handle: IO[str]) -> dict[str, Any]:
    name = getattr(handle, "name", "input")
    try:
        data = json.load(handle)
    except ValueError as exc:
        raise CommandFailed("bad_file", f"{name} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CommandFailed("bad_file", f"{name} must hold a JSON object")
    return data


# ---------------------------------------------------------------- sessions


def credential_store() -> CredentialStore:
    return CredentialStore(default_credentials_path())


@asynccontextmanager
async def logged_in_client(endpoints: Endpoints) -> AsyncIterator[TriviaClient]:
    """A client with the stored session for this user pool; refreshed tokens are saved."""
    store = credential_store()
    session = store.load(endpoints.user_pool_id)
    if session is None:
        raise NotLoggedIn("not logged in")

    def save(tokens: Tokens | None) -> None:
        if tokens is not None:
            store.save(endpoints.user_pool_id, Session(session.username, tokens))

    async with TriviaClient(endpoints, tokens=session.tokens, on_tokens=save) as client:
        yield client


# ---------------------------------------------------------------- output


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def emit_fields(data: Mapping[str, Any], keys: Iterable[str]) -> None:
    """One ``key: value`` line per key present, aligned."""
    present = [key for key in keys if key in data]
    width = max((len(key) for key in present), default=0)
    for key in present:
        click.echo(f"{key.ljust(width)}  {_cell(data[key])}".rstrip())


def emit_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    header = "  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))
    click.echo(header.rstrip())
    for row in cells:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def stderr(message: str) -> None:
    click.echo(message, err=True)
