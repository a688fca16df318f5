"""hookyard: a self-hosted webhook integration host for customer-support chat.

The public surface for plugin authors is re-exported here; see docs/plugins.md.
"""

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
from hookyard.sinks import DeliveryFailed, DeliveryRequest, DeliveryResult, Sink, SinkSpec
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
    "Message",
    "PayloadRejected",
    "Person",
    "Rating",
    "SimulatedRequest",
    "Sink",
    "SinkSpec",
    "VendorSpec",
    "WebhookRequest",
    "hookimpl",
    "stable_event_id",
]
