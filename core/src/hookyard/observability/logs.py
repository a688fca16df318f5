"""Logging set-up for hookyard's commands."""

from __future__ import annotations

import logging

__all__ = ["QUIETER", "setup_logging"]

#: Libraries whose chatter stays out of hookyard's log whatever ``--log-level`` says:
#: alembic's migration steps, and httpcore's debug lines, which hold every response's
#: headers as the target sent them (a target may echo a credential there).
QUIETER = {"alembic": logging.WARNING, "httpcore": logging.INFO}


def setup_logging(level: str) -> None:
    """Log ``level`` and above to stderr, one line per record."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name, quieter in QUIETER.items():
        logging.getLogger(name).setLevel(quieter)
