"""The store's own errors: callers never see SQLAlchemy's exception types or URL objects."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

__all__ = ["StoreError", "StoreUnavailable", "display_url", "translated"]

P = ParamSpec("P")
T = TypeVar("T")


class StoreError(Exception):
    """A database operation failed; the message is one line for the user, without secrets.

    :param reason: what the database or the network said.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class StoreUnavailable(StoreError):
    """The database cannot be reached, or is locked: try again later."""


def display_url(url: str) -> str:
    """``url`` with its password hidden, for logs and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def _translate(exc: BaseException) -> StoreError:
    if isinstance(exc, OSError):  # the server is not there (connection refused, no route)
        reason = str(exc.strerror or exc)
        return StoreUnavailable(f"cannot reach the database: {reason}", reason)
    original = getattr(exc, "orig", None) or exc
    text = str(original).splitlines()[0] if str(original) else type(original).__name__
    if "locked" in text or "timeout" in text.lower() or "connect" in text.lower():
        return StoreUnavailable(f"database unavailable: {text}", text)
    return StoreError(f"database error: {text}", text)


def translated(
    function: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """Decorate a store coroutine so SQLAlchemy and socket errors become :class:`StoreError`."""

    @functools.wraps(function)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await function(*args, **kwargs)
        except (SQLAlchemyError, OSError) as exc:
            raise _translate(exc) from exc

    return wrapper
