"""A template that raises when an event is routed costs that delivery only, never the event."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from hookyard.host import Host, setup_from_text

if TYPE_CHECKING:
    from pathlib import Path

CONFIG = """\
database: "{database}"
sources:
  in: {{vendor: generic, auth: none}}
sinks:
  console: {{plugin: log}}
routes:
  - name: formats a text as a number
    to: console
    with: {{message: "{{{{ '%d' | format(event.data.n) }}}}"}}
  - name: computes a huge power
    to: console
    with: {{message: "{{{{ 10 ** (10 ** 10) }}}}"}}
  - name: makes a huge range
    to: console
    with: {{message: "{{{{ range(10 ** 9) | list | length }}}}"}}
  - name: repeats text too often
    to: console
    with: {{message: "{{{{ 'x' * 10 ** 8 }}}}"}}
  - name: works
    to: console
    with: {{message: "n is {{{{ event.data.n }}}}"}}
"""


async def test_each_failing_template_makes_its_delivery_dead_with_the_reason(
    tmp_path: Path, database_url: str
) -> None:
    path = tmp_path / "hookyard.yaml"
    text = CONFIG.format(database=database_url)
    host = Host(setup_from_text(text, path, disabled=[]))
    await host.start(workers=False)
    try:
        body = json.dumps({"id": "evt-1", "type": "chat.started", "data": {"n": "x"}}).encode()
        answer = await host.intake.receive("in", {"content-type": "application/json"}, body)
        assert answer.status == 200
        stored = {d.route: (d.status, d.last_error) for d in await host.store.deliveries.list()}
    finally:
        await host.stop()
    assert stored == {
        "formats a text as a number": (
            "dead",
            "routes[0].with.message: template failed: TypeError: %d format: a real number "
            "is required, not str",
        ),
        "computes a huge power": (
            "dead",
            "routes[1].with.message: template failed: OverflowError: 10 ** 10000000000 is "
            "too large for a template",
        ),
        "makes a huge range": (
            "dead",
            "routes[2].with.message: template failed: OverflowError: Range too big. The "
            "sandbox blocks ranges larger than MAX_RANGE (100000).",
        ),
        "repeats text too often": (
            "dead",
            "routes[3].with.message: template failed: OverflowError: 'x' * 100000000 is too "
            "large for a template",
        ),
        "works": ("pending", None),
    }
