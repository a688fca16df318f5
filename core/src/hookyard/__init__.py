"""hookyard: a self-hosted webhook integration host for customer-support chat.

The public plugin API is what this module exports, plus :mod:`hookyard.signing` and
:mod:`hookyard.testing` (docs/plugins.md). Every other module is internal and may change
without notice; plugins import nothing else, and a test proves it.
"""

from hookyard.config.model import FilePath, Seconds
from hookyard.events import (
    EVENT_TYPES,
    Attachment,
    Chat,
    Event,
    Message,
    Person,
    Rating,
    stable_event_id,
)
from hookyard.hookspecs import hookimpl
from hookyard.options import header_text, http_url, positive_seconds, url_secrets
from hookyard.sinks import (
    DeliveryFailed,
    DeliveryRequest,
    DeliveryResult,
    Sink,
    SinkSpec,
    hide_in_logs,
    parse_retry_after,
    redact,
)
from hookyard.vendors import (
    AuthenticationFailed,
    PayloadRejected,
    SimulatedRequest,
    VendorSpec,
    WebhookRequest,
)

__all__ = [
    "EVENT_TYPES",
    "Attachment",
    "AuthenticationFailed",
    "Chat",
    "DeliveryFailed",
    "DeliveryRequest",
    "DeliveryResult",
    "Event",
    "FilePath",
    "Message",
    "PayloadRejected",
    "Person",
    "Rating",
    "Seconds",
    "SimulatedRequest",
    "Sink",
    "SinkSpec",
    "VendorSpec",
    "WebhookRequest",
    "header_text",
    "hide_in_logs",
    "hookimpl",
    "http_url",
    "parse_retry_after",
    "positive_seconds",
    "redact",
    "url_secrets",
    "stable_event_id",
]
