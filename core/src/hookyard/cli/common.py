"""What every ``hookyard`` subcommand shares: the config option and user-facing errors."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from hookyard.config import ConfigError, ConfigUnreadable
from hookyard.plugins import PluginError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Coroutine, Iterator, Sequence

    from hookyard.host import Host
    from hookyard.store import Store

__all__ = [
    "CONTEXT_SETTINGS",
    "WHEN",
    "coloured",
    "config_option",
    "fields",
    "filter_options",
    "log_level_option",
    "fail",
    "load_host",
    "migrate",
    "printable",
    "progress",
    "run_async",
    "state_painter",
    "table",
    "terminal_width",
    "user_errors",
    "with_store",
]

T = TypeVar("T")
DEFAULT_CONFIG = "hookyard.yaml"

#: Settings of the ``hookyard`` group, which its commands inherit: ``-h`` is ``--help``.
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}

log_level_option = click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="The least severe log messages to print.",
)

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(),  # a folder is reported as a file that cannot be read
    default=lambda: os.environ.get("HOOKYARD_CONFIG", DEFAULT_CONFIG),
    show_default=f"$HOOKYARD_CONFIG or {DEFAULT_CONFIG}",
    help="The configuration file.",
)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"hookyard: {message}", err=True)
    sys.exit(code)


def user_errors(function: Callable[..., T]) -> Callable[..., T]:
    """Config and plugin problems end the command with a message, never a traceback."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        except ConfigUnreadable as exc:
            fail(str(exc))
        except ConfigError as exc:
            click.echo(
                f"hookyard: configuration {kwargs.get('config_path', '')} is not valid:", err=True
            )
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(2)
        except PluginError as exc:
            fail(str(exc))
        except BrokenPipeError:
            raise  # the reader left (`| head -1`): click's main ends the command quietly
        except OSError as exc:
            fail(f"{exc.strerror or exc}", 1)
        except Exception as exc:
            if _is_store_error(exc):
                fail(str(exc), 1)
            raise

    return wrapper


def _is_store_error(exc: Exception) -> bool:
    """The store is imported only by commands that use the database (SQLAlchemy loads slowly)."""
    module = sys.modules.get("hookyard.store.errors")
    return module is not None and isinstance(exc, module.StoreError)


def load_host(config_path: str) -> Host:
    from hookyard.host import Host

    return Host.from_file(config_path)


def migrate(database: str) -> None:
    """Apply migrations to ``database`` with a store of its own, closed afterwards."""
    from hookyard.store import Store

    async def run() -> None:
        store = Store(database)
        try:
            await store.migrate()
        finally:
            await store.close()

    from hookyard.store import StoreUnavailable, display_url

    try:
        asyncio.run(run())
    except StoreUnavailable as exc:
        fail(f"cannot reach the database {display_url(database)}: {exc.reason}", 1)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def with_store(
    host: Host, use: Callable[[Store], Coroutine[Any, Any, T]], *, migrate: bool = True
) -> T:
    """Run ``use`` against the store of ``host`` (migrated first unless told not to),
    closing it afterwards."""

    async def run() -> T:
        try:
            if migrate:
                await host.store.migrate()
            return await use(host.store)
        finally:
            await host.store.close()

    return asyncio.run(run())


def printable(text: str) -> str:
    """``text`` with control characters (a sender's newline, an escape sequence) written
    as escapes, so that they neither break a table nor reach the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def terminal_width() -> int | None:
    """Columns a table may take: the terminal's (or ``$COLUMNS``); None when stdout is piped
    and ``$COLUMNS`` is not set, so that nothing is cut from what a script reads."""
    if "COLUMNS" in os.environ or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def coloured() -> bool:
    """Colour for stdout: only on a terminal, and never with ``$NO_COLOR`` set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


#: The colour of each state of an event, a delivery or an attempt.
STATE_COLOURS = {
    "stored": "green",
    "delivered": "green",
    "unparsed": "red",
    "dead": "red",
    "pending": "yellow",
    "retry": "yellow",
    "delivering": "cyan",
    "released": "cyan",
    "suppressed": "blue",
    "grouped": "blue",
}


def state_painter(column: int) -> Callable[[int, str], str] | None:
    """For :func:`table`: the states in ``column`` in their colours, when colour is on."""
    if not coloured():
        return None

    def paint(at: int, cell: str) -> str:
        colour = STATE_COLOURS.get(cell) if at == column else None
        return click.style(cell, fg=colour) if colour else cell

    return paint


#: The narrowest a cell is cut to so that a table fits.
NARROWEST = 4


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _fitted(rows: list[list[str]], width: int | None, shrink: Collection[int]) -> list[int]:
    """Each column's width; the widest of ``shrink`` lose a character in turn (evening them
    out) until the lines fit ``width`` or none is wider than :data:`NARROWEST`."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if width is None:
        return widths
    excess = sum(widths) + 2 * (len(widths) - 1) - width
    while excess > 0:
        wide = [i for i in shrink if widths[i] > NARROWEST]
        if not wide:
            break
        widths[max(wide, key=lambda i: widths[i])] -= 1
        excess -= 1
    return widths


def table(
    rows: Sequence[Sequence[str]],
    *,
    width: int | None = None,
    shrink: Collection[int] = (),
    right: Collection[int] = (),
    paint: Callable[[int, str], str] | None = None,
) -> Iterator[str]:
    """``rows`` (the first is the header) as aligned lines; the last column is not padded,
    so a long value there (an error, a list of hooks) does not widen the others. Control
    characters in a cell are shown as escapes.

    :param width: the columns the lines may take: the widest of the ``shrink`` columns is
        cut (with ``…``) until they fit; lines never wrap.
    :param right: columns aligned right (numbers).
    :param paint: ``paint(column, cell)`` styles a cell below the header (colour).
    """
    shown = [[printable(cell) for cell in row] for row in rows]
    widths = _fitted(shown, width, shrink)
    for number, row in enumerate(shown):
        cells = []
        for column, (cell, size) in enumerate(zip(row, widths, strict=True)):
            text = _cut(cell, size)
            pad = " " * (size - len(text))
            if paint is not None and number:
                text = paint(column, text)
            last = column == len(row) - 1
            cells.append(pad + text if column in right else text + ("" if last else pad))
        yield "  ".join(cells).rstrip()


def fields(pairs: Sequence[tuple[str, str]], indent: int = 2) -> Iterator[str]:
    """``name  value`` lines, the values aligned, for one thing shown in full."""
    width = max(len(name) for name, _ in pairs)
    for name, value in pairs:
        yield f"{' ' * indent}{name.ljust(width)}  {printable(value)}".rstrip()


_DURATION = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class When(click.ParamType[datetime, Any]):
    """A time: a duration before now (``30m``, ``24h``, ``7d``, ``2w``) or an ISO time
    (``2026-12-01``, ``2026-12-01T10:00``, with ``Z`` or an offset; UTC without)."""

    name = "when"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        if found := _DURATION.fullmatch(text):
            try:
                return datetime.now(UTC) - timedelta(**{_UNITS[found[2]]: int(found[1])})
            except OverflowError:
                self.fail(f"{text!r} reaches back before the year 1", param, ctx)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is neither a duration (30m, 24h, 7d) nor an ISO time", param, ctx)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


WHEN = When()

class RowId(click.IntRange):
    """A row id or a count as the store keeps it: a whole number from 1 to 2**63 - 1,
    written in digits (``1_000``, ``0x10`` and `` 7`` are not ids)."""

    name = "id"

    def __init__(self) -> None:
        super().__init__(min=1, max=2**63 - 1)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        digits = value.removeprefix("-") if isinstance(value, str) else "0"
        if not (digits.isascii() and digits.isdigit()):
            self.fail(f"{value!r} is not a whole number such as 42", param, ctx)
        return super().convert(value, param, ctx)


#: A row id or a count as the store keeps it (a 64-bit integer).
ROW_ID = RowId()


def filter_options(statuses: Sequence[str], *, deliveries: bool) -> Callable[[Any], Any]:
    """The options that pick events (or deliveries), passed on as one ``filters`` dict."""
    what = "deliveries" if deliveries else "events"
    made = "made" if deliveries else "received"
    options = [
        click.option("--source", help=f"Only {what} of this source."),
        click.option("--type", "type_", metavar="TYPE", help="Only of this event type."),
        click.option("--chat", metavar="ID", help="Only of this chat (its id at the vendor)."),
        click.option("--status", type=click.Choice(statuses), help=f"Only {what} in this state."),
        click.option("--since", type=WHEN, help=f"Only {made} since: 30m, 24h, 7d or ISO time."),
        click.option("--until", type=WHEN, help=f"Only {made} before: 30m, 24h, 7d or ISO time."),
    ]
    names = ["source", "type_", "chat", "status", "since", "until"]
    if deliveries:
        options.append(click.option("--sink", help="Only deliveries to this sink."))
        options.append(click.option("--route", help="Only deliveries of this route."))
        names += ["sink", "route"]

    def decorate(command: Callable[..., T]) -> Callable[..., T]:
        @wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            picked = {name.rstrip("_"): kwargs.pop(name) for name in names}
            return command(*args, filters=picked, **kwargs)

        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` moves a progress bar on stderr, shown when it is a terminal and there
    is more than one thing to do."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
