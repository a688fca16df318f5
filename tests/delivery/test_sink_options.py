"""``hookyard check`` names every mistake in a sink's ``concurrency``, ``rate_limit`` and
``breaker`` at its own line, and reads the forms the docs give."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from click.testing import CliRunner

from hookyard.cli import main
from hookyard.config.model import RateLimit, parse_rate_limit
from hookyard.host import setup_from_text

if TYPE_CHECKING:
    from pathlib import Path

BAD = """\
sinks:
  slack:
    plugin: http
    url: https://hooks.slack.com/services/T/B/X
    concurrency: 0
    breaker: {failures: 0, cooldown: soon}
    rate_limit: 1 per s
  hubspot:
    plugin: http
    url: https://api.hubapi.com/crm
    rate_limit: 100
    concurrency: 2.5
routes: []
"""


def test_check_names_each_wrong_sink_option_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "hookyard.yaml"
    path.write_text(BAD)

    result = CliRunner().invoke(main, ["check", "--config", str(path)])

    assert result.exit_code == 2
    assert result.output.splitlines()[1:] == [
        "  sinks.slack.concurrency (line 5): must be from 1 to 10,000, got 0",
        "  sinks.slack.breaker.cooldown (line 6): expected a duration such as 10s, 5m or 1h, "
        "got 'soon'",
        "  sinks.slack.breaker.failures (line 6): must be at least 1, got 0",
        "  sinks.slack.rate_limit (line 7): expected N/DURATION such as 1/s or 100/10s, "
        "got '1 per s'",
        "  sinks.hubspot.rate_limit (line 11): expected N/DURATION such as 1/s or 100/10s, got 100",
        "  sinks.hubspot.concurrency (line 12): expected a whole number, got 2.5",
    ]


def test_the_documented_forms_are_read() -> None:
    text = textwrap.dedent("""\
        sinks:
          slack:
            plugin: log
            concurrency: 1
            rate_limit: 30/m
            breaker: {failures: 5, cooldown: 1m}
          other: {plugin: log}
        routes: []
    """)
    sinks = setup_from_text(text).config.sinks

    slack, other = sinks["slack"], sinks["other"]
    assert (slack.concurrency, slack.rate_limit) == (1, RateLimit(30, 60.0))
    assert slack.breaker is not None
    assert (slack.breaker.failures, slack.breaker.cooldown) == (5, 60.0)
    assert (other.concurrency, other.rate_limit, other.breaker) == (None, None, None)
    assert [parse_rate_limit(v) for v in ("1/s", "100/10s", "5/500ms", "2/h")] == [
        RateLimit(1, 1.0),
        RateLimit(100, 10.0),
        RateLimit(5, 0.5),
        RateLimit(2, 3600.0),
    ]
