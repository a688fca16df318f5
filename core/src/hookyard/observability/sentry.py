"""Error reporting to Sentry: set up once, then unparsed payloads and dead deliveries.

Without ``sentry.dsn`` every function here is a no-op (sentry-sdk drops events when it was
never initialised). Reports carry vendor, source, sink and event id as tags and never a
secret or a payload body.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import sentry_sdk

if TYPE_CHECKING:
    from sentry_sdk._types import Event, Hint

    from hookyard.config import SentryConfig

__all__ = [
    "SAFE_HEADERS",
    "init_sentry",
    "report_dead",
    "report_unparsed",
    "without_request_secrets",
]

log = logging.getLogger("hookyard")


def init_sentry(config: SentryConfig, *, with_litestar: bool, **extra: Any) -> bool:
    """Initialise sentry-sdk when a DSN is configured; returns whether it was.

    :param extra: more ``sentry_sdk.init`` options (the tests hand in a transport).
    """
    if not config.dsn:
        return False
    integrations = []
    if with_litestar:
        from sentry_sdk.integrations.litestar import LitestarIntegration

        integrations.append(LitestarIntegration())
    sentry_sdk.init(
        dsn=config.dsn,
        environment=config.environment,
        traces_sample_rate=config.traces_sample_rate,
        send_default_pii=False,
        include_local_variables=False,  # locals of a parser hold the body and the secret
        max_request_body_size="never",
        integrations=integrations,
        before_send=without_request_secrets,
        **extra,
    )
    return True


#: Request headers a report may carry; a vendor's own headers may be credentials.
SAFE_HEADERS = frozenset({"content-type", "content-length", "user-agent"})


def without_request_secrets(event: Event, _hint: Hint) -> Event:
    """Drop every request header but :data:`SAFE_HEADERS`, the query and cookies.

    sentry-sdk scrubs the headers it knows (``Authorization``, ``Cookie``); vendors
    authenticate with headers of their own (a token, a signature), which it cannot know.
    """
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
        for key in ("query_string", "cookies", "data", "env"):
            request.pop(key, None)
    return event


def report_unparsed(
    *, source: str, vendor: str, event_id: str, error: BaseException, message: str
) -> None:
    """Report a parser's exception, its text replaced by ``message`` (credentials removed:
    a parser's message may quote the body, and the body may hold the source's secret)."""

    def redact(event: Event, _hint: Hint) -> Event:
        for value in event.get("exception", {}).get("values", []):
            if value.get("value") is not None:
                value["value"] = message
        return event

    with sentry_sdk.new_scope() as scope:
        scope.set_tag("hookyard.kind", "unparsed")
        scope.set_tag("hookyard.source", source)
        scope.set_tag("hookyard.vendor", vendor)
        scope.set_tag("hookyard.event_id", event_id)
        scope.add_event_processor(redact)
        sentry_sdk.capture_exception(error)


def report_dead(
    *, delivery_id: int, sink: str, route: str, source: str, vendor: str, event_id: str, error: str
) -> None:
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("hookyard.kind", "dead_delivery")
        scope.set_tag("hookyard.sink", sink)
        scope.set_tag("hookyard.route", route)
        scope.set_tag("hookyard.source", source)
        scope.set_tag("hookyard.vendor", vendor)
        scope.set_tag("hookyard.event_id", event_id)
        scope.set_extra("delivery_id", delivery_id)
        sentry_sdk.capture_message(
            f"delivery {delivery_id} to sink {sink!r} is dead: {error}", level="error"
        )
