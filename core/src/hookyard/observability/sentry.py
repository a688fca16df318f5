"""Error reporting to Sentry: set up once, then unparsed payloads and dead deliveries.

Without ``sentry.dsn`` every function here is a no-op (sentry-sdk drops events when it was
never initialised). Reports carry vendor, source, sink and event id as tags and never a
secret or a payload body.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import sentry_sdk

if TYPE_CHECKING:
    from hookyard.config import SentryConfig

__all__ = ["init_sentry", "report_dead", "report_unparsed"]

log = logging.getLogger("hookyard")


def init_sentry(config: SentryConfig, *, with_litestar: bool) -> bool:
    """Initialise sentry-sdk when a DSN is configured; returns whether it was."""
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
    )
    return True


def report_unparsed(*, source: str, vendor: str, event_id: str, error: BaseException) -> None:
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("hookyard.kind", "unparsed")
        scope.set_tag("hookyard.source", source)
        scope.set_tag("hookyard.vendor", vendor)
        scope.set_tag("hookyard.event_id", event_id)
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
