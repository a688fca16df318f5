"""Internal: the ``hookyard`` command, one module per command group."""

from hookyard.cli.main import main

__all__ = ["main"]
