"""`trivia quiz`: the author's admin tool for their own quizzes.

Files are quiz documents in the project's JSON format (services/quizzes/model.py), or Open
Trivia DB API responses for ``import --format opentdb``. ``-`` reads standard input.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any

import click

from clients.cli.support import (
    CommandFailed,
    emit_fields,
    emit_json,
    emit_table,
    endpoints_option,
    json_option,
    load_endpoints,
    logged_in_client,
    read_json_file,
    run,
)
from clients.sdk.client import TriviaClient

MODES = ("single", "casual", "competitive", "live")
SUMMARY_FIELDS = ("quiz_id", "name", "category", "mode", "active", "version", "question_count")
LIST_COLUMNS = ("quiz_id", "name", "category", "mode", "active", "question_count", "updated_at")

Action = Callable[[TriviaClient], Awaitable[Any]]


def _call(endpoints_file: Path | None, action: Action) -> Any:
    """Run ``action`` with the logged-in player's client."""
    endpoints = load_endpoints(endpoints_file)

    async def main() -> Any:
        async with logged_in_client(endpoints) as client:
            return await action(client)

    return run(main())


def _show_quiz(quiz: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(quiz)
        return
    if "question_count" not in quiz and isinstance(quiz.get("questions"), list):
        quiz = {**quiz, "question_count": len(quiz["questions"])}
    emit_fields(quiz, SUMMARY_FIELDS)


file_argument = click.argument("file", type=click.File("r", encoding="utf-8"))
id_argument = click.argument("quiz_id", metavar="ID")


@click.group()
def quiz() -> None:
    """Create, edit, list, activate, import and export your own quizzes."""


@quiz.command()
@file_argument
@endpoints_option
@json_option
def create(file: IO[str], endpoints_file: Path | None, as_json: bool) -> None:
    """Create a quiz from a quiz document (JSON)."""
    document = read_json_file(file)
    _show_quiz(_call(endpoints_file, lambda client: client.create_quiz(document)), as_json)


@quiz.command("list")
@endpoints_option
@json_option
def list_(endpoints_file: Path | None, as_json: bool) -> None:
    """List your quizzes, newest first."""
    quizzes = _call(endpoints_file, lambda client: client.list_quizzes())
    if as_json:
        emit_json(quizzes)
    else:
        emit_table(quizzes, LIST_COLUMNS)


@quiz.command()
@id_argument
@endpoints_option
@json_option
def show(quiz_id: str, endpoints_file: Path | None, as_json: bool) -> None:
    """Show one of your quizzes with its questions and answers."""
    found = _call(endpoints_file, lambda client: client.get_quiz(quiz_id))
    if as_json:
        emit_json(found)
        return
    _show_quiz(found, False)
    for question in found.get("questions", []):
        _show_question(question)


def _show_question(question: dict[str, Any]) -> None:
    click.echo(f"\n{question.get('question_id', '?')}  {question.get('text', '')}")
    for option in question.get("options") or []:
        mark = "*" if option == question.get("answer") else " "
        click.echo(f"   {mark} {option}")
    if question.get("type") == "open":
        accepted = [question.get("answer"), *(question.get("alternatives") or [])]
        click.echo(f"   answer: {' | '.join(str(a) for a in accepted)}")


@quiz.command()
@id_argument
@file_argument
@click.option(
    "--if-version",
    type=click.IntRange(min=1),
    help="Only replace if the quiz is still at this version (see `quiz show`).",
)
@endpoints_option
@json_option
def edit(
    quiz_id: str,
    file: IO[str],
    if_version: int | None,
    endpoints_file: Path | None,
    as_json: bool,
) -> None:
    """Replace a quiz with a new version of its document."""
    document = read_json_file(file)
    replaced = _call(
        endpoints_file,
        lambda client: client.replace_quiz(quiz_id, document, if_version=if_version),
    )
    _show_quiz(replaced, as_json)


@quiz.command()
@id_argument
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@endpoints_option
def delete(quiz_id: str, yes: bool, endpoints_file: Path | None) -> None:
    """Delete one of your quizzes."""
    if not yes:
        click.confirm(f"Delete quiz {quiz_id}?", abort=True)
    _call(endpoints_file, lambda client: client.delete_quiz(quiz_id))
    click.echo(f"Deleted quiz {quiz_id}.")


@quiz.command()
@id_argument
@endpoints_option
@json_option
def activate(quiz_id: str, endpoints_file: Path | None, as_json: bool) -> None:
    """Make a single-player quiz playable."""
    _show_quiz(_call(endpoints_file, lambda client: client.activate_quiz(quiz_id)), as_json)


@quiz.command()
@id_argument
@endpoints_option
@json_option
def deactivate(quiz_id: str, endpoints_file: Path | None, as_json: bool) -> None:
    """Stop a quiz from being playable."""
    _show_quiz(_call(endpoints_file, lambda client: client.deactivate_quiz(quiz_id)), as_json)


@quiz.command("import")
@file_argument
@click.option(
    "--format",
    "source_format",
    type=click.Choice(["trivia", "opentdb"]),
    default="trivia",
    show_default=True,
    help="trivia: a quiz document; opentdb: an Open Trivia DB API response.",
)
@click.option("--name", help="Quiz name (required for opentdb; overrides the document's).")
@click.option("--category", help="Category slug (required for opentdb).")
@click.option("--mode", type=click.Choice(MODES), help="Game mode [opentdb default: single].")
@click.option("--description", help="Description.")
@endpoints_option
@json_option
def import_(
    file: IO[str],
    source_format: str,
    name: str | None,
    category: str | None,
    mode: str | None,
    description: str | None,
    endpoints_file: Path | None,
    as_json: bool,
) -> None:
    """Import a quiz from a file (the project's format or Open Trivia DB)."""
    document = read_json_file(file)
    fields = {"name": name, "category": category, "mode": mode, "description": description}
    given = {key: value for key, value in fields.items() if value is not None}
    options: dict[str, str] = {}
    if source_format == "trivia":
        document = {**document, **given}  # the options override the document's own fields
    else:
        missing = [f"--{key}" for key in ("name", "category") if key not in given]
        if missing:
            raise click.UsageError(f"--format opentdb needs {' and '.join(missing)}")
        options = {"format": "opentdb", "mode": "single", **given}
    imported = _call(endpoints_file, lambda client: client.import_quiz(document, **options))
    _show_quiz(imported, as_json)


@quiz.command()
@id_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the document to this file instead of standard output.",
)
@endpoints_option
def export(quiz_id: str, output: Path | None, endpoints_file: Path | None) -> None:
    """Export a quiz as a document that `quiz import` and `quiz create` accept."""
    document = _call(endpoints_file, lambda client: client.export_quiz(quiz_id))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandFailed("write_failed", f"cannot write {output}: {exc}") from None
    click.echo(f"Exported quiz {quiz_id} to {output}.", err=True)
