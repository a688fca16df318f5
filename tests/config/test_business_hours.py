"""``when``: business hours in a time zone, right on both sides of the 2026 daylight-saving
changes in Europe and the US, holidays, ``outside``, and each mistake at its place."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

from hookyard.config import Config, ConfigError
from hookyard.config.converter import make_converter
from hookyard.events import Event
from hookyard.routing import Router, compile_routes

if TYPE_CHECKING:
    from hookyard.plugins import Registry

Load = Callable[..., Config]
SINKS = "sinks:\n  log: {plugin: log}\n  mail: {plugin: log}\n"


def at(occurred_at: str, type_: str = "chat.started") -> dict[str, Any]:
    """An event that occurred at ``occurred_at`` (ISO 8601, UTC), in its JSON form."""
    moment = datetime.fromisoformat(occurred_at)
    made = Event("e-1", "chats", "livechat", type_, "x", moment, moment)
    return dict(make_converter().unstructure(made))


@pytest.fixture
def hours(load: Load, registry: Registry) -> Callable[[str], Router]:
    """A router whose one route has ``when: <the text>``."""

    def compile_(when: str) -> Router:
        text = f"routes:\n  - {{name: open, to: log, when: {when}}}\n"
        return compile_routes(load(SINKS, text), registry)

    return compile_


def opened(router: Router, occurred_at: str) -> bool:
    return [p.route for p in router.plan(at(occurred_at))] == ["open"]


BERLIN = '{timezone: Europe/Berlin, days: [mon-fri], hours: ["09:00-17:30"]}'
NEW_YORK = '{timezone: America/New_York, days: [mon-fri], hours: ["09:00-17:00"]}'


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [
        # Friday 27 March 2026, CET (UTC+1)
        ("2026-03-27T07:59:00+00:00", False),  # 08:59
        ("2026-03-27T08:00:00+00:00", True),  # 09:00
        ("2026-03-27T16:29:59+00:00", True),  # 17:29:59
        ("2026-03-27T16:30:00+00:00", False),  # 17:30
        # Monday 30 March 2026, CEST (UTC+2) since Sunday 01:00 UTC
        ("2026-03-30T06:30:00+00:00", False),  # 08:30
        ("2026-03-30T07:30:00+00:00", True),  # 09:30 (08:30 at UTC+1)
        ("2026-03-30T07:00:00+00:00", True),  # 09:00
        ("2026-03-30T15:15:00+00:00", True),  # 17:15
        ("2026-03-30T15:45:00+00:00", False),  # 17:45 (16:45 at UTC+1)
        # Friday 23 October, CEST; Monday 26 October, CET again
        ("2026-10-23T07:00:00+00:00", True),  # 09:00
        ("2026-10-23T15:45:00+00:00", False),  # 17:45
        ("2026-10-26T07:00:00+00:00", False),  # 08:00
        ("2026-10-26T08:00:00+00:00", True),  # 09:00
        ("2026-10-26T16:15:00+00:00", True),  # 17:15
        # the weekend
        ("2026-03-28T10:00:00+00:00", False),
    ],
)
def test_berlin_hours_across_the_eu_changes(
    hours: Callable[[str], Router], occurred_at: str, expected: bool
) -> None:
    assert opened(hours(BERLIN), occurred_at) is expected


@pytest.mark.parametrize(
    ("occurred_at", "expected"),
    [
        # Friday 6 March 2026, EST (UTC-5)
        ("2026-03-06T13:30:00+00:00", False),  # 08:30
        ("2026-03-06T14:00:00+00:00", True),  # 09:00
        ("2026-03-06T21:30:00+00:00", True),  # 16:30 (17:30 at UTC-4)
        ("2026-03-06T22:00:00+00:00", False),  # 17:00
        # Monday 9 March 2026, EDT (UTC-4) since Sunday 07:00 UTC
        ("2026-03-09T13:00:00+00:00", True),  # 09:00
        ("2026-03-09T12:30:00+00:00", False),  # 08:30
        ("2026-03-09T20:30:00+00:00", True),  # 16:30
        ("2026-03-09T21:00:00+00:00", False),  # 17:00
        # Friday 30 October, EDT; Monday 2 November, EST again
        ("2026-10-30T13:00:00+00:00", True),  # 09:00
        ("2026-11-02T13:00:00+00:00", False),  # 08:00
        ("2026-11-02T14:00:00+00:00", True),  # 09:00
        ("2026-11-02T21:30:00+00:00", True),  # 16:30
    ],
)
def test_new_york_hours_across_the_us_changes(
    hours: Callable[[str], Router], occurred_at: str, expected: bool
) -> None:
    assert opened(hours(NEW_YORK), occurred_at) is expected


def test_the_changing_night_itself(hours: Callable[[str], Router]) -> None:
    skipped = hours('{timezone: Europe/Berlin, days: [sun], hours: ["02:00-03:00"]}')
    # 29 March: 01:59 CET is followed by 03:00 CEST; no moment is in 02:00-03:00
    assert not opened(skipped, "2026-03-29T00:59:00+00:00")
    assert not opened(skipped, "2026-03-29T01:00:00+00:00")
    # 25 October: 02:00-03:00 happens twice, at 00:00-01:00 and 01:00-02:00 UTC
    assert opened(skipped, "2026-10-25T00:30:00+00:00")
    assert opened(skipped, "2026-10-25T01:30:00+00:00")
    assert not opened(skipped, "2026-10-25T02:00:00+00:00")


def test_holidays_are_days_of_the_zone_and_outside_inverts(
    hours: Callable[[str], Router],
) -> None:
    within = hours('{timezone: Pacific/Auckland, hours: ["09:00-17:00"], holidays: [2026-12-25]}')
    # Thursday 24 December 20:00 UTC is Friday 25 December 09:00 in Auckland (UTC+13)
    assert not opened(within, "2026-12-24T20:00:00+00:00")
    assert opened(within, "2026-12-23T20:00:00+00:00")  # Thursday the 24th, 09:00
    outside = hours(
        '{timezone: Pacific/Auckland, hours: ["09:00-17:00"], holidays: ["2026-12-25"],'
        " outside: true}"
    )
    assert opened(outside, "2026-12-24T20:00:00+00:00")
    assert not opened(outside, "2026-12-23T20:00:00+00:00")


def test_days_by_name_ranges_across_the_weekend_and_split_hours(
    hours: Callable[[str], Router],
) -> None:
    router = hours(
        '{timezone: UTC, days: [Friday, sat-mon], hours: ["08:00-12:00", "13:00-24:00"]}'
    )
    assert opened(router, "2026-03-06T23:59:00+00:00")  # Friday
    assert opened(router, "2026-03-08T08:00:00+00:00")  # Sunday
    assert not opened(router, "2026-03-08T12:30:00+00:00")  # lunch
    assert not opened(router, "2026-03-10T10:00:00+00:00")  # Tuesday


def test_offline_messages_outside_hours_go_to_mail(load: Load, registry: Registry) -> None:
    routes = """\
    routes:
      - name: offline to mail
        match: {type: offline_message.received}
        when: {timezone: Europe/Berlin, hours: ["09:00-17:30"], outside: true}
        to: mail
      - name: offline to the team
        match: {type: offline_message.received}
        when: {timezone: Europe/Berlin, hours: ["09:00-17:30"]}
        to: log
    """
    router = compile_routes(load(SINKS, textwrap.dedent(routes)), registry)
    night = at("2026-03-30T20:00:00+00:00", "offline_message.received")
    day = at("2026-03-30T08:00:00+00:00", "offline_message.received")
    assert [(p.route, p.sink) for p in router.plan(night)] == [("offline to mail", "mail")]
    assert [(p.route, p.sink) for p in router.plan(day)] == [("offline to the team", "log")]


def test_the_verdict_shows_the_local_time(hours: Callable[[str], Router]) -> None:
    (route,) = hours(BERLIN).routes
    (verdict,) = route.explain(at("2026-03-30T15:45:00+00:00"))
    assert str(verdict) == (
        "not matched: occurred_at within business hours (Europe/Berlin mon-fri 09:00-17:30)"
        " on 'Mon 2026-03-30 17:45 CEST'"
    )


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        (
            '{timezone: Europe/Berln, hours: ["09:00-17:00"]}',
            "routes[0].when.timezone (line 5): unknown time zone 'Europe/Berln'; did you mean "
            "'Europe/Berlin'? (IANA names such as Europe/Berlin, America/New_York or UTC)",
        ),
        (
            '{hours: ["09:00-17:00"]}',
            "routes[0].when (line 5): when needs a timezone, an IANA name such as Europe/Berlin",
        ),
        (
            '{timezone: UTC, hours: ["17:00-09:00"]}',
            "routes[0].when.hours[0] (line 5): '17:00-09:00' ends before it starts; a range "
            'across midnight is two ranges, "22:00-24:00" and "00:00-06:00"',
        ),
        (
            '{timezone: UTC, hours: ["09:00-25:00"]}',
            "routes[0].when.hours[0] (line 5): '09:00-25:00' is not a time of day (00:00 to 24:00)",
        ),
        (
            "{timezone: UTC, hours: [9-17]}",
            'routes[0].when.hours[0] (line 5): expected a range such as "09:00-17:30", '
            "got '9-17'",
        ),
        (
            "{timezone: UTC, days: [mon, funday]}",
            "routes[0].when.days[1] (line 5): expected a day (mon, tue, wed, thu, fri, sat, sun)"
            " or a range such as mon-fri, got 'funday'",
        ),
        (
            '{timezone: UTC, holidays: ["2026-13-01"]}',
            "routes[0].when.holidays[0] (line 5): expected a date such as 2026-12-25, got "
            "'2026-13-01'",
        ),
        (
            "{timezone: UTC, outside: sometimes}",
            "routes[0].when.outside (line 5): outside takes true or false, got 'sometimes'",
        ),
        (
            "{timezone: UTC, hour: [09:00-17:00]}",
            "routes[0].when.hour (line 5): unknown key; did you mean 'hours'? (allowed: days, "
            "holidays, hours, outside, timezone)",
        ),
        (
            "weekdays",
            "routes[0].when (line 5): expected a mapping (timezone, days, hours, holidays, "
            "outside), got text",
        ),
    ],
)
def test_a_when_mistake_is_named_at_its_place(
    load: Load, registry: Registry, when: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        compile_routes(load(SINKS, f"routes:\n  - {{to: log, when: {when}}}\n"), registry)
    assert caught.value.problems == [problem]
