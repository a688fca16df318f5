"""What every ``hookyard`` subcommand shares: the config option and user-facing errors."""

from __future__ import annotations

import asyncio
import os
import sys
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from hookyard.config import ConfigError, ConfigUnreadable
from hookyard.plugins import PluginError

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator, Sequence

    from hookyard.host import Host
    from hookyard.store import Store

__all__ = [
    "CONTEXT_SETTINGS",
    "config_option",
    "log_level_option",
    "fail",
    "load_host",
    "migrate",
    "printable",
    "run_async",
    "table",
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


def with_store(host: Host, use: Callable[[Store], Coroutine[Any, Any, T]]) -> T:
    """Run ``use`` against the migrated store of ``host``, closing it afterwards."""

    async def run() -> T:
        try:
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


def table(rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """``rows`` (the first is the header) as aligned lines; the last column is not padded,
    so a long value there (an error, a list of hooks) does not widen the others. Control
    characters in a cell are shown as escapes."""
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        yield "  ".join([*cells, row[-1]]).rstrip()
