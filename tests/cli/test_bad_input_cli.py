"""What a user can type wrong at the newer commands gets one line and exit 2, never a
traceback or a hang: device files, impossible dates, numbers past what the store keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hookyard.cli import main

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "hookyard.yaml")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["route", "explain", "--config", EXAMPLE, "/dev/zero"], "not a regular file"),
        (["events", "list", "--config", EXAMPLE, "--since", "99999999w"], "before the year 1"),
        (["events", "list", "--config", EXAMPLE, "--limit", "-1"], "not in the range"),
        (["deliveries", "show", "--config", EXAMPLE, "9" * 30], "not in the range"),
        (["tail", "--config", EXAMPLE, "--since", "9" * 15], "not in the range"),
    ],
)
def test_a_wrong_argument_is_one_line(args: list[str], said: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Traceback" not in result.output


def test_an_impossible_date_is_named_where_it_is(tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    config.write_text("routes:\n  - to: x\n    when: {timezone: UTC, holidays: [2026-02-30]}\n")
    result = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "line 3, column 38: '2026-02-30' is not a date" in result.output


def test_an_event_file_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = CliRunner().invoke(main, ["route", "explain", "--config", EXAMPLE, str(deep)])
    assert result.exit_code == 2
    assert "nested too deeply" in result.output
