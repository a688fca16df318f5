"""Internal: ``python -m hookyard``, the ``hookyard`` command (how ``serve`` starts its
worker processes)."""

from hookyard.cli import main

main(prog_name="hookyard")
