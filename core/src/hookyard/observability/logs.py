"""Logging set-up for hookyard's commands."""

from __future__ import annotations

import logging

__all__ = ["setup_logging"]


def setup_logging(level: str) -> None:
    """Log ``level`` and above to stderr, one line per record."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
