"""``-h`` is ``--help`` everywhere, and output into a pipe whose reader left ends quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookyard.cli import main

HOOKYARD = Path(sys.executable).parent / "hookyard"
CONFIG = "database: sqlite:///hookyard.db\nsources:\n  chats: {vendor: livechat, secret: s3cret}\n"


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["check"], ["deliveries"], ["deliveries", "list"]]
)
def test_dash_h_is_help(command: list[str]) -> None:
    short = CliRunner().invoke(main, [*command, "-h"])
    long = CliRunner().invoke(main, [*command, "--help"])
    assert (short.exit_code, long.exit_code) == (0, 0)
    assert short.stdout == long.stdout
    assert short.stdout.startswith(f"Usage: main {' '.join([*command, ''])}")
    assert "-h, --help" in short.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["--help"],
        ["plugins"],
        ["plugins", "--json"],
        ["deliveries", "list"],
        ["simulate", "livechat"],
    ],
)
def test_a_reader_that_leaves_early_gets_no_traceback(command: list[str], tmp_path: Path) -> None:
    (tmp_path / "hookyard.yaml").write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKYARD_")}
    process = subprocess.Popen(
        [str(HOOKYARD), *command],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.close()  # `| head -0`: every write hookyard makes meets a closed pipe
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err.decode()) == (1, "")
