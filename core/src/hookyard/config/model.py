"""The configuration tree: what a configuration file turns into (attrs, frozen).

Numbers are checked by attrs validators whose messages say what is allowed; the loader
shows each at the option it is about.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any, Literal, NewType
from urllib.parse import urlsplit

from attrs import define, field, frozen
from attrs.validators import in_

from hookyard.config.located import Path as KeyPath

__all__ = [
    "BasicAuth",
    "Breaker",
    "Config",
    "DedupConfig",
    "GroupConfig",
    "ThrottleConfig",
    "ConfigError",
    "ConfigUnreadable",
    "FilePath",
    "ORDERINGS",
    "RateLimit",
    "RetentionConfig",
    "RetryPolicy",
    "Network",
    "RouteConfig",
    "Seconds",
    "SentryConfig",
    "ServerConfig",
    "SinkConfig",
    "SourceAccess",
    "SourceConfig",
    "WHEN_DEAD",
    "WorkersConfig",
    "check_database",
    "duration",
    "parse_rate_limit",
]

#: A duration option: structured (by :func:`hookyard.config.converter.make_converter`) from a number
#: of seconds or a string such as ``250ms``, ``10s``, ``5m``, ``1h`` or ``30d``. Plugins may use it.
Seconds = NewType("Seconds", float)
#: A file option: ``~`` is expanded and a relative path is made absolute against the
#: configuration file's folder while the file is loaded, as for the SQLite database.
#: Plugins may use it.
FilePath = NewType("FilePath", str)
#: An ``allow_ips`` entry or a ``trusted_proxy``: an IP address or a CIDR block.
Network = IPv4Network | IPv6Network
MIB = 1024 * 1024
#: The shortest ``token`` a source accepts: guessing 16 URL-safe characters is hopeless.
MIN_TOKEN_LENGTH = 16
_TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_NEW_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))' makes one"
#: A sink's ``ordering`` and ``when_dead`` choices; the first of each is the default.
ORDERINGS = ("conversation", "none")
WHEN_DEAD = ("continue", "hold")
#: A SQLite file next to the configuration file.
DEFAULT_DATABASE = "sqlite:///hookyard.db"


@define
class ConfigError(Exception):
    """Problems in a configuration file; each line names its place."""

    problems: list[str]

    def __str__(self) -> str:
        return "\n".join(self.problems)


class ConfigUnreadable(ConfigError):
    """The configuration file could not be read at all (missing, a folder, no permission)."""


def _at_least(minimum: float) -> Any:
    def check(_instance: object, _attribute: object, value: float) -> None:
        if value < minimum:
            raise ValueError(f"must be at least {minimum:g}, got {value!r}")

    return check


def _more_than(minimum: float) -> Any:
    def check(_instance: object, _attribute: object, value: float) -> None:
        if not value > minimum:
            raise ValueError(f"must be more than {minimum:g}, got {value!r}")

    return check


def _at_most(maximum: float) -> Any:
    def check(_instance: object, _attribute: object, value: float) -> None:
        if value > maximum:
            raise ValueError(f"must be at most {maximum:,g}, got {value!r}")

    return check


def duration(seconds: float) -> str:
    """``90`` as ``1m30s``, ``3600`` as ``1h``: how a window reads in a sentence."""
    if seconds != int(seconds) or seconds < 1:
        return f"{seconds:g}s"
    whole, parts = int(seconds), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    return "".join(parts)


def _longest(maximum: float) -> Any:
    """A duration of at most ``maximum`` seconds, both said as durations (``30d``)."""

    def check(_instance: object, _attribute: object, value: float) -> None:
        if value > maximum:
            raise ValueError(f"must be at most {duration(maximum)}, got {duration(value)}")

    return check


def _optional(*checks: Any) -> Any:
    def check(instance: object, attribute: object, value: float | None) -> None:
        if value is not None:
            for inner in checks:
                inner(instance, attribute, value)

    return check


def _http_statuses(_instance: object, _attribute: object, value: tuple[int, ...]) -> None:
    wrong = [status for status in value if not 100 <= status <= 599]
    if wrong:
        raise ValueError(f"HTTP statuses are from 100 to 599, got {', '.join(map(str, wrong))}")


def _fraction(_instance: object, _attribute: object, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"must be from 0 to 1, got {value!r}")


def check_database(url: str) -> str | None:
    """What is wrong with a ``database`` URL, or None for SQLite and PostgreSQL URLs."""
    expected = "expected sqlite:///FILE or postgresql://user:password@host:port/db"
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        if not url.lower().startswith("sqlite:///") or url.lower() == "sqlite:///":
            return f"{expected}: a SQLite URL has three slashes and a file name, got {url!r}"
        if url.lower().startswith("sqlite:///:memory:"):
            return "an in-memory SQLite database loses every event when hookyard stops; name a file"
        return None
    if parts.scheme in ("postgresql", "postgres"):
        if not url.partition("://")[2]:
            return f"{expected}: the PostgreSQL URL names no server or database, got {url!r}"
        try:
            parts.port  # noqa: B018 (urllib checks the port when it is read)
        except ValueError:
            return f"{expected}: the port is not a number from 0 to 65535, got {url!r}"
        return None
    return f"{expected}, got {url!r}"


def _check_dsn(_instance: object, _attribute: object, value: str | None) -> None:
    if not value:
        return  # no DSN, or an empty one from ${SENTRY_DSN:-}: reporting is off
    from sentry_sdk.utils import BadDsn, Dsn  # only when a DSN is set: sentry-sdk loads slowly

    try:
        Dsn(value)
    except BadDsn as exc:
        raise ValueError(
            f"not a Sentry DSN ({exc}); copy it from the Sentry project's Client Keys page, "
            "e.g. https://KEY@o0.ingest.sentry.io/PROJECT"
        ) from None


@frozen
class RetryPolicy:
    """When a failed delivery is tried again (docs/configuration.md#retry)."""

    max_attempts: int = field(default=8, validator=[_at_least(1), _at_most(10_000)])
    initial_delay: Seconds = field(default=Seconds(10.0), validator=_at_least(0))
    max_delay: Seconds = field(default=Seconds(3600.0), validator=_at_least(0))
    multiplier: float = field(default=2.0, validator=_at_least(1))
    jitter: float = field(default=0.2, validator=_fraction)
    retry_statuses: tuple[int, ...] = field(default=(), validator=_http_statuses)
    permanent_statuses: tuple[int, ...] = field(default=(), validator=_http_statuses)


def check_token(_instance: object, _attribute: object, value: str | None) -> None:
    """A ``token`` is long and made of characters a URL query carries as they are."""
    if value is None:
        return
    if len(value) < MIN_TOKEN_LENGTH:
        raise ValueError(
            f"a token needs at least {MIN_TOKEN_LENGTH} characters, got {len(value)}; {_NEW_TOKEN}"
        )
    wrong = sorted(set(value) - _TOKEN_CHARACTERS)
    if wrong:
        raise ValueError(
            "a token is letters, digits and - . _ ~ only (it goes into a URL unescaped), "
            f"got {''.join(wrong)!r}; {_NEW_TOKEN}"
        )


def _check_username(_instance: object, _attribute: object, value: str) -> None:
    if not value or ":" in value:
        raise ValueError(f"a username is not empty and has no ':', got {value!r}")


def _not_empty(_instance: object, _attribute: object, value: str) -> None:
    if not value:
        raise ValueError("must not be empty")


def _some_networks(
    _instance: object, _attribute: object, value: tuple[Network, ...] | None
) -> None:
    if value is not None and not value:
        raise ValueError("an empty list would refuse every webhook; list addresses or leave it out")


@frozen
class BasicAuth:
    """HTTP Basic credentials a source requires (``Authorization: Basic …``)."""

    username: str = field(validator=_check_username)
    password: str = field(repr=False, validator=_not_empty)


@frozen
class SourceAccess:
    """Who may post to a source, whatever its vendor: checked before the vendor's scheme."""

    token: str | None = field(default=None, repr=False, validator=check_token)
    basic_auth: BasicAuth | None = None
    allow_ips: tuple[Network, ...] | None = field(default=None, validator=_some_networks)

    def secrets(self) -> list[str]:
        """The credential values, to keep out of stored payloads and logs."""
        found = [self.token, self.basic_auth.password if self.basic_auth else None]
        return [value for value in found if value]

    def __bool__(self) -> bool:
        return bool(self.token or self.basic_auth or self.allow_ips)


@frozen
class SourceConfig:
    name: str
    vendor: str
    options: Any
    auth: Literal["vendor", "none"] = "vendor"
    max_body_bytes: int = field(default=MIB, validator=[_at_least(1), _at_most(1024 * MIB)])
    access: SourceAccess = SourceAccess()


@frozen
class ServerConfig:
    """How the HTTP edge sees its callers.

    :param trusted_proxy: the address (or CIDR block) of the one reverse proxy in front of
        hookyard: only for requests it passes on is ``X-Forwarded-For`` believed, and then
        only its last entry (the address that proxy saw).
    """

    trusted_proxy: Network | None = None


@frozen
class RateLimit:
    """At most ``attempts`` started per ``per`` seconds (a sink's ``rate_limit``)."""

    attempts: int
    per: float

    def __str__(self) -> str:
        return f"{self.attempts}/{self.per:g}s"


_RATE = re.compile(r"^(\d+)/(\d+(?:\.\d+)?)?(ms|s|m|h)$")
_RATE_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_rate_limit(value: object) -> RateLimit:
    """``1/s``, ``100/10s``, ``30/m`` or ``5/500ms``; ValueError saying what is expected."""
    expected = f"expected N/DURATION such as 1/s or 100/10s, got {value!r}"
    found = _RATE.match(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(expected)
    attempts, amount, unit = int(found[1]), float(found[2] or 1), found[3]
    per = amount * _RATE_UNITS[unit]
    if attempts < 1 or not 0 < per <= 24 * 3600:
        raise ValueError(f"{expected}: at least 1 attempt, per a window of more than 0 up to 24h")
    return RateLimit(attempts, per)


@frozen
class Breaker:
    """A sink's circuit breaker: after ``failures`` retryable failures in a row the sink is
    paused for ``cooldown``, then one probe delivery decides (docs/operations.md)."""

    failures: int = field(validator=[_at_least(1), _at_most(10_000)])
    cooldown: Seconds = field(default=Seconds(30.0), validator=_more_than(0))


@frozen
class SinkConfig:
    """A configured sink.

    :param concurrency: deliveries to this sink in flight at once in one process; None
        for the workers' ``concurrency``.
    :param rate_limit: attempts started per window, in one process.
    :param ordering: ``conversation``: its deliveries of one conversation are attempted
        one at a time, in the order the events occurred; ``none``: in any order.
    :param when_dead: ``continue``: a dead delivery lets its conversation's next go on;
        ``hold``: the next wait until it is retried and delivered.
    """

    name: str
    plugin: str
    options: Any
    retry: RetryPolicy = RetryPolicy()
    concurrency: int | None = field(
        default=None, validator=_optional(_at_least(1), _at_most(10_000))
    )
    rate_limit: RateLimit | None = None
    breaker: Breaker | None = None
    ordering: str = field(default="conversation", validator=in_(ORDERINGS))
    when_dead: str = field(default="continue", validator=in_(WHEN_DEAD))


#: The longest ``window`` of a route's ``dedup`` or ``throttle``, and ``wait`` of its ``group``.
MAX_GATE_WINDOW = 30 * 86400.0
MAX_GROUP_WAIT = 86400.0


@frozen
class DedupConfig:
    """``dedup``: one delivery per rendered ``key`` per ``window``; the others are kept as
    suppressed (docs/configuration.md#gates)."""

    key: str
    window: Seconds = field(validator=[_more_than(0), _longest(MAX_GATE_WINDOW)])


@frozen
class ThrottleConfig:
    """``throttle``: at most ``limit`` deliveries per rendered ``key`` per ``window``."""

    key: str
    limit: int = field(validator=[_at_least(1), _at_most(1_000_000)])
    window: Seconds = field(validator=[_more_than(0), _longest(MAX_GATE_WINDOW)])


@frozen
class GroupConfig:
    """``group``: the events of one rendered ``key`` within ``wait`` of its first become one
    delivery (at most ``max_events`` of them) whose templates see ``events``."""

    key: str
    wait: Seconds = field(validator=[_more_than(0), _longest(MAX_GROUP_WAIT)])
    max_events: int = field(default=100, validator=[_at_least(1), _at_most(1000)])


@frozen
class RouteConfig:
    """A route as written (docs/configuration.md#routes); ``match`` and ``when`` are
    checked and compiled by :func:`hookyard.routing.compile_routes`.

    :param continue_: ``continue``: false stops routing at this route when it matches.
    :param enabled: false: the route is checked, never matched.
    :param dedup: its gate, at most one of ``dedup``, ``throttle`` and ``group``.
    """

    name: str
    to: str
    match: dict[str, Any] = field(factory=dict)
    action: str | None = None
    with_: dict[str, Any] = field(factory=dict)
    retry: RetryPolicy | None = None
    when: Any = None
    continue_: bool = True
    enabled: bool = True
    dedup: DedupConfig | None = None
    throttle: ThrottleConfig | None = None
    group: GroupConfig | None = None


@frozen
class SentryConfig:
    dsn: str | None = field(default=None, validator=_check_dsn)
    environment: str | None = None
    traces_sample_rate: float = field(default=0.0, validator=_fraction)


@frozen
class WorkersConfig:
    concurrency: int = field(default=64, validator=[_at_least(1), _at_most(10_000)])
    lease: Seconds = field(default=Seconds(30.0), validator=_more_than(0))
    poll_interval: Seconds = field(default=Seconds(1.0), validator=_more_than(0))
    shutdown_grace: Seconds = field(default=Seconds(10.0), validator=_at_least(0))


@frozen
class RetentionConfig:
    """How long finished work is kept (docs/configuration.md#retention); None keeps it forever.

    :param delivered: events whose deliveries were all delivered (or that made none), with
        those deliveries and their attempts, from the last delivery's success on.
    :param dead: dead deliveries and their attempts, from their last attempt on; an event
        left with no deliveries goes with them.
    :param unparsed: kept unparsed payloads, from their arrival on.
    :param attempts: the attempt history of the deliveries kept, from each attempt's end on;
        a delivery's latest attempt stays whatever its age, and the delivery itself stays.
    :param links: conversation links unchanged for this long, unless a delivery of their
        conversation is still to be made.
    :param interval: how often the workers' host runs the purge.
    """

    delivered: Seconds | None = field(default=None, validator=_optional(_more_than(0)))
    dead: Seconds | None = field(default=None, validator=_optional(_more_than(0)))
    unparsed: Seconds | None = field(default=None, validator=_optional(_more_than(0)))
    attempts: Seconds | None = field(default=None, validator=_optional(_more_than(0)))
    links: Seconds | None = field(default=None, validator=_optional(_more_than(0)))
    interval: Seconds = field(default=Seconds(3600.0), validator=_more_than(0))

    @property
    def configured(self) -> bool:
        """Whether anything is ever purged."""
        ages = (self.delivered, self.dead, self.unparsed, self.attempts, self.links)
        return any(age is not None for age in ages)


@frozen
class Config:
    database: str = DEFAULT_DATABASE
    sources: dict[str, SourceConfig] = field(factory=dict)
    sinks: dict[str, SinkConfig] = field(factory=dict)
    routes: list[RouteConfig] = field(factory=list)
    sentry: SentryConfig = SentryConfig()
    workers: WorkersConfig = WorkersConfig()
    path: Path | None = None
    #: The line of each path in the file, for problems found later (route checks).
    lines: dict[KeyPath, int] = field(factory=dict, repr=False, eq=False)
    server: ServerConfig = ServerConfig()
    retention: RetentionConfig = RetentionConfig()
