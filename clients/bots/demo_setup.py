"""What the three demos share: their settings and report, registering bots, seating them.

- ``DemoSettings``: players, accuracy, think time, seed, concurrency, verify timeout;
- ``DemoReport``: errors counted by code (with one sample each) and latency percentiles;
- ``new_player`` and ``register_bots``: fresh accounts (names unique per run), logged in,
  ``concurrency`` at a time, on the demo's shared HTTP session;
- ``publish_quiz``: create (and activate) the demo's quiz, export it for the answer key;
- ``bounded``: run jobs ``concurrency`` at a time, ticking a progress bar;
- ``seat_table``: connect the host and every player bot (WebSocket or MQTT), bounded likewise;
- ``set_up_game``: all of the above for a hosted or live demo, up to everyone seated.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from clients.bots.arithmetic_quiz import TIME_LIMIT_SECONDS
from clients.bots.shells.http_single import BotRun
from clients.bots.single import BotSettings
from clients.sdk.client import TriviaClient
from clients.sdk.endpoints import Endpoints
from clients.sdk.errors import TriviaError

T = TypeVar("T")
class Closable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=Closable)  # a connected seat: a GameSocket or a LiveConnection


class ProgressBar(Protocol):
    def update(self, n_steps: int) -> None: ...


Progress = Callable[[str, int], AbstractContextManager[ProgressBar]]


class _NoProgress:
    def update(self, n_steps: int) -> None:
        pass


def no_progress(label: str, total: int) -> AbstractContextManager[ProgressBar]:
    return nullcontext(_NoProgress())


@dataclass(frozen=True)
class DemoSettings:
    players: int
    accuracy: float = 0.7
    think_ms: tuple[int, int] = (0, 200)
    seed: int | None = None
    concurrency: int = 20
    verify_timeout: float = 20.0

    def __post_init__(self) -> None:
        if self.players < 1:
            raise ValueError("players must be at least 1")
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        BotSettings(accuracy=self.accuracy, think_seconds=self.think_seconds)  # validates

    @property
    def think_seconds(self) -> tuple[float, float]:
        return self.think_ms[0] / 1000, self.think_ms[1] / 1000


@dataclass
class DemoReport:
    players: int
    plays: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)
    error_samples: dict[str, str] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    quiz_id: str | None = None
    run_id: str = ""

    @property
    def errors(self) -> int:
        return sum(self.error_codes.values())

    def error(self, code: str, message: str) -> None:
        self.error_codes[code] += 1
        self.error_samples.setdefault(code, message)

    def percentiles(self, prefix: str = "") -> dict[str, float | None]:
        """``{prefix}p50_ms`` and ``{prefix}p95_ms`` of the latencies, for the JSON line."""
        return {
            f"{prefix}p50_ms": percentile(self.latencies_ms, 50),
            f"{prefix}p95_ms": percentile(self.latencies_ms, 95),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "mode": "single",
            "players": self.players,
            "plays": self.plays,
            "errors": self.errors,
            **self.percentiles(),
        }


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile, rounded to 0.1 ms; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, math.ceil(pct / 100 * len(ordered)) - 1)
    return round(ordered[index], 1)


@dataclass
class Bot:
    username: str
    client: TriviaClient
    run: BotRun | None = None  # a single-player bot's play, once played


async def new_player(endpoints: Endpoints, session: Any, username: str) -> TriviaClient:
    password = f"Demo-{secrets.token_urlsafe(12)}-9a!"  # upper, lower, digit and symbol
    client = TriviaClient(endpoints, session)  # shares, and never closes, the demo's session
    await client.register(username, f"{username}@example.com", password)
    await client.login(username, password)
    return client


async def publish_quiz(
    author: TriviaClient, document: Mapping[str, Any], *, activate: bool = False
) -> tuple[str, dict[str, str]]:
    """Create the quiz (and activate it: single-player quizzes need it); its answer key."""
    created = await author.create_quiz(document)
    if activate:
        await author.activate_quiz(created["quiz_id"])
    exported = await author.export_quiz(created["quiz_id"])
    return created["quiz_id"], answer_key(created["questions"], exported["questions"])


def answer_key(
    stored: Sequence[Mapping[str, Any]], exported: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """Question id -> answer: ids from the stored quiz, answers from the export, by position.

    The export is the owner's document (no ids); the texts must line up, or the key is wrong.
    """
    if [q["text"] for q in stored] != [q["text"] for q in exported]:
        raise ValueError("the export does not list the quiz's questions in order")
    return {str(s["question_id"]): str(e["answer"]) for s, e in zip(stored, exported, strict=True)}


async def bounded(limit: int, jobs: Iterable[Awaitable[T]], bar: ProgressBar) -> list[T]:
    """Await ``jobs``, at most ``limit`` at a time; the bar ticks as each one ends."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[T]) -> T:
        async with gate:
            try:
                return await job
            finally:
                bar.update(1)

    return await asyncio.gather(*(one(job) for job in jobs))


async def register_bots(
    endpoints: Endpoints,
    session: Any,
    settings: DemoSettings,
    run_id: str,
    report: DemoReport,
    progress: Progress,
) -> list[Bot]:
    """Register and log in ``settings.players`` bots; one that fails counts as an error."""

    async def register(index: int) -> Bot | None:
        username = f"demo_{run_id}_b{index}"
        try:
            return Bot(username, await new_player(endpoints, session, username))
        except TriviaError as error:
            report.error(f"register:{error.code}", error.message)
            return None

    with progress("registering bots", settings.players) as bar:
        made = await bounded(
            settings.concurrency, (register(i) for i in range(settings.players)), bar
        )
    return [bot for bot in made if bot is not None]


@dataclass
class SeatedTable(Generic[C]):
    """Everyone at the game: the host and the players, each with a connected seat."""

    host: tuple[Bot, C]
    players: list[tuple[Bot, C]] = field(default_factory=list)

    def connections(self) -> list[C]:
        return [self.host[1], *(connection for _, connection in self.players)]

    async def close(self, progress: Progress) -> None:
        """Close every seat's connection; the ``closing`` phase says they are gone (a load run
        counts players as connected from ``connecting`` to here)."""
        connections = self.connections()
        with progress("closing", len(connections)) as bar:
            await asyncio.gather(*(connection.close() for connection in connections))
            bar.update(len(connections))


Seated = tuple[tuple[Bot, C], list[tuple[Bot, C]]]


async def seat_table(
    host: Bot,
    bots: list[Bot],
    connect: Callable[[Bot], Awaitable[C]],
    settings: DemoSettings,
    report: DemoReport,
    progress: Progress,
) -> Seated[C] | None:
    """Connect the host and every player bot, ``settings.concurrency`` at a time; a bot that
    cannot connect counts as an error. None (the others closed again) without the host."""

    async def seat(bot: Bot) -> tuple[Bot, C] | None:
        try:
            return bot, await connect(bot)
        except TriviaError as error:
            report.error(f"connect:{error.code}", f"{bot.username}: {error.message}")
            return None

    with progress("connecting", len(bots) + 1) as bar:
        seated = await bounded(settings.concurrency, (seat(bot) for bot in [host, *bots]), bar)
    if seated[0] is None:
        await asyncio.gather(*(_close(pair[1]) for pair in seated if pair is not None))
        return None
    return seated[0], [pair for pair in seated[1:] if pair is not None]


async def _close(connection: Any) -> None:
    await connection.close()


def finished_clients(table: SeatedTable[Any], names: Iterable[str]) -> dict[str, TriviaClient]:
    """The clients of the player bots named (those whose results the writers must show)."""
    clients = {bot.username: bot.client for bot, _ in table.players}
    return {name: clients[name] for name in names}


def announce_resolver(future: asyncio.Future[T]) -> Callable[[T], None]:
    """A seat's ``on_announce``: resolves ``future`` with the first announcement."""

    def resolve(announce: T) -> None:
        if not future.done():
            future.set_result(announce)

    return resolve


async def host_announced(host_run: asyncio.Task[Any], announced: asyncio.Future[T]) -> T | None:
    """The host's announcement, or None when the host's run ended without one."""
    first: set[asyncio.Future[Any]] = {host_run, announced}
    await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
    if not announced.done():
        await host_run
        return None
    return announced.result()


@dataclass(frozen=True)
class GameDemoSettings:
    """A hosted or live demo: the common settings, the quiz's length, the lobby's patience."""

    demo: DemoSettings  # players, accuracy, think time, seed, concurrency, verify timeout
    questions: int = 5
    lobby_timeout: float = 120.0

    @property
    def idle_timeout(self) -> float:
        """How long a bot waits for any message: the lobby, then a whole question."""
        return self.lobby_timeout + 3 * TIME_LIMIT_SECONDS


@dataclass
class DemoGame(Generic[C]):
    """A game demo, set up: its author (the host), quiz, answer key, and everyone seated."""

    author: TriviaClient
    quiz_id: str
    knowledge: dict[str, str]
    seated: Seated[C]


async def set_up_game(
    endpoints: Endpoints,
    session: Any,
    settings: DemoSettings,
    document: Mapping[str, Any],
    connect: Callable[[Bot], Awaitable[C]],
    report: DemoReport,
    progress: Progress,
) -> DemoGame[C] | None:
    """A fresh author publishes ``document``, the player bots register, everyone connects.

    None when that failed for the author (counted in ``report``): there is no game to play.
    """
    host_name = f"demo_{report.run_id}_host"
    try:
        author = await new_player(endpoints, session, host_name)
        quiz_id, knowledge = await publish_quiz(author, document)
    except TriviaError as error:
        report.error(f"setup:{error.code}", error.message)
        return None
    report.quiz_id = quiz_id
    bots = await register_bots(endpoints, session, settings, report.run_id, report, progress)
    seated = await seat_table(Bot(host_name, author), bots, connect, settings, report, progress)
    return DemoGame(author, quiz_id, knowledge, seated) if seated is not None else None
