"""``hookyard tail``: webhooks received and delivery outcomes, live, as they happen."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from hookyard._json import dumps
from hookyard.cli.common import config_option, load_host, printable, run_async, user_errors

if TYPE_CHECKING:
    from hookyard.host import Host
    from hookyard.store.feed import Arrived, Attempted

__all__ = ["tail"]

#: How often the store is read for what is new.
POLL = 0.5
COLOURS = {"delivered": "green", "retry": "yellow", "dead": "red", "unparsed": "red"}
OUTCOME = {"retry": "retrying", "released": "released"}


@click.command()
@config_option
@click.option("--source", help="Only webhooks of this source (and their deliveries).")
@click.option("--sink", help="Only attempts of this sink (and no webhooks).")
@click.option(
    "--since",
    type=click.IntRange(min=0, max=10**8),
    default=0,
    help="Also show the last N minutes before now.",
)
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many lines.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@user_errors
def tail(
    config_path: str,
    source: str | None,
    sink: str | None,
    since: int,
    count: int | None,
    as_json: bool,
) -> None:
    """Show webhooks received and delivery attempts as they happen, until Ctrl-C: one line
    each, coloured by outcome on a terminal. Times are UTC."""
    host = load_host(config_path)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    shown = _Shown(as_json, colour, count)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it ends
        run_async(_follow(host, source, sink, since, shown))


class _Shown:
    def __init__(self, as_json: bool, colour: bool, count: int | None) -> None:
        self.as_json, self.colour, self.left = as_json, colour, count

    @property
    def done(self) -> bool:
        return self.left is not None and self.left <= 0

    def line(self, kind: str, record: dict[str, Any], text: str, outcome: str) -> None:
        if self.done:
            return
        if self.as_json:
            click.echo(dumps({"kind": kind, **record}))
        else:
            text = printable(text)
            click.echo(click.style(text, fg=COLOURS.get(outcome)) if self.colour else text)
        if self.left is not None:
            self.left -= 1


async def _follow(
    host: Host, source: str | None, sink: str | None, minutes: int, shown: _Shown
) -> None:
    store = host.store
    try:
        start = datetime.now(UTC) - timedelta(minutes=minutes) if minutes else None
        event_pk, attempt_id = await store.feed.last(start)
        while not shown.done:
            arrived = await store.feed.arrived(event_pk)
            attempted = await store.feed.attempted(attempt_id)
            for event in arrived:
                if sink is None and source in (None, event.source):
                    _arrived(event, shown)
            for attempt in attempted:
                if sink in (None, attempt.sink) and source in (None, attempt.source):
                    _attempted(attempt, shown)
            event_pk = arrived[-1].pk if arrived else event_pk
            attempt_id = attempted[-1].id if attempted else attempt_id
            if not arrived and not attempted:
                await asyncio.sleep(POLL)
    finally:
        await store.close()


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _arrived(event: Arrived, shown: _Shown) -> None:
    record = {
        "at": event.at.isoformat(),
        "source": event.source,
        "type": event.type,
        "status": event.status,
        "event_id": event.event_id,
        "deliveries": event.deliveries,
        "error": event.error,
    }
    if event.status == "unparsed":
        said = (event.error or "").splitlines()[0][:120] if event.error else ""
        text = f"{_time(event.at)}  received   {event.source}  unparsed: {said}"
    else:
        made = f"{event.deliveries} deliver{'y' if event.deliveries == 1 else 'ies'}"
        text = f"{_time(event.at)}  received   {event.source}  {event.type}  "
        text += f"{event.event_id}  ({made})"
    shown.line("received", record, text, event.status)


def _attempted(attempt: Attempted, shown: _Shown) -> None:
    record = {
        "at": attempt.at.isoformat(),
        "delivery_id": attempt.delivery_id,
        "attempt": attempt.number,
        "outcome": attempt.outcome,
        "route": attempt.route,
        "sink": attempt.sink,
        "action": attempt.action,
        "source": attempt.source,
        "status_code": attempt.status_code,
        "error": attempt.error,
    }
    said = OUTCOME.get(attempt.outcome, attempt.outcome)
    text = f"{_time(attempt.at)}  {said:<10} {attempt.sink}/{attempt.action}  "
    text += f"delivery {attempt.delivery_id} attempt {attempt.number}"
    if attempt.status_code is not None:
        text += f"  HTTP {attempt.status_code}"
    if attempt.error:
        text += f"  {attempt.error.splitlines()[0][:160]}"
    shown.line("attempt", record, text, attempt.outcome)
