"""Sample events and delivery requests for sink tests, and the host's retry decision.

from hookyard.testing import delivery_request, sample_event, would_retry

request = delivery_request("post", {"channel": "C1", "text": "hi"}, chat_id="c-1")
with pytest.raises(DeliveryFailed) as failed:
    await sink.deliver(request)
assert would_retry(failed.value)
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookyard.config.model import RetryPolicy
from hookyard.delivery.retry import is_retryable
from hookyard.sinks import DeliveryRequest

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard.sinks import DeliveryFailed

__all__ = ["delivery_request", "sample_event", "would_retry"]

_ids = itertools.count(1)


def sample_event(
    type: str = "chat.message",
    *,
    chat_id: str | None = "chat-1",
    text: str | None = "Hello, my order has not arrived.",
    source: str = "livechat-main",
    **fields: Any,
) -> dict[str, Any]:
    """An event in its JSON form (docs/events.md), as a sink receives it.

    :param fields: top-level fields to set or replace (``customer={...}``, ``data={...}``).
    """
    number = next(_ids)
    now = datetime.now(UTC).isoformat()
    event: dict[str, Any] = {
        "id": f"sample-{number}",
        "source": source,
        "vendor": "livechat",
        "type": type,
        "vendor_type": "incoming_event",
        "occurred_at": now,
        "received_at": now,
        "chat": None if chat_id is None else {"id": chat_id, "status": "open", "tags": []},
        "customer": {"id": "customer-1", "name": "Ada Lovelace", "email": "ada@example.com"},
        "agent": {"id": "agent-1", "name": "Grace Hopper", "email": "grace@example.com"},
        "message": None if text is None else {"id": f"m-{number}", "text": text},
        "changes": {},
        "data": {},
        "raw": {},
    }
    event.update(fields)
    return event


def delivery_request(
    action: str,
    params: Any = None,
    *,
    event: Mapping[str, Any] | None = None,
    link: Mapping[str, Any] | None = None,
    attempt: int = 1,
    route: str = "test-route",
    chat_id: str | None = "chat-1",
) -> DeliveryRequest:
    """A :class:`~hookyard.DeliveryRequest` as the worker makes it.

    :param params: what the sink receives: an instance of the action's parameter class,
        or a mapping.
    :param link: what the sink kept for the conversation from earlier results.
    :param chat_id: the conversation (its key is derived as the host derives it); ``None``
        for an event of no conversation.
    """
    event = sample_event(chat_id=chat_id) if event is None else event
    number = next(_ids)
    chat = (event.get("chat") or {}).get("id")
    conversation = None
    if chat:
        conversation = f"{event.get('source')}/chat/{chat}"
    key = hashlib.sha256(f"{event.get('id')}/{route}/{number}".encode()).hexdigest()[:32]
    return DeliveryRequest(
        delivery_id=number,
        event=event,
        action=action,
        params={} if params is None else params,
        idempotency_key=key,
        attempt=attempt,
        route=route,
        conversation=conversation,
        link={} if link is None else dict(link),
    )


def would_retry(failure: DeliveryFailed, policy: RetryPolicy | None = None) -> bool:
    """Whether the host would try a delivery that failed with ``failure`` again (given
    attempts left), under ``policy`` (a route's or sink's ``retry``; default settings
    when omitted): a 4xx other than 408, 409, 425 and 429 is not retried, a 5xx, a
    timeout or a connection error is, and ``permanent=`` decides over both."""
    return is_retryable(failure, policy or RetryPolicy())
