"""What the e-mail sink's tests share: credentials, options, events and parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard.testing import delivery_request
from hookyard_email import EmailConfig, EmailSink, SendParams, parse_recipients

if TYPE_CHECKING:
    from hookyard import DeliveryRequest
    from hookyard.testing import SmtpServer

USER = "hookyard-relay"
PASSWORD = "s3cr3t-relay-pa55"
SENDER = "Support <help@example.com>"


def options(smtp: SmtpServer, **changes: Any) -> dict[str, Any]:
    """The sink's YAML options for ``smtp``, with ``changes``."""
    given: dict[str, Any] = {
        "host": smtp.host,
        "port": smtp.port,
        "security": smtp.security,
        "from": SENDER,
        "timeout": 2,
    }
    if smtp.ca_file is not None:
        given["ca_file"] = smtp.ca_file
    if smtp.username is not None:
        given.update(username=smtp.username, password=smtp.password)
    given.update(changes)
    return {k: v for k, v in given.items() if v is not None}


def sink_for(smtp: SmtpServer, **changes: Any) -> EmailSink:
    """An open sink sending to ``smtp``."""
    given = options(smtp, **changes)
    given["from_"] = given.pop("from")
    return EmailSink(EmailConfig(**given))


def send(**changes: Any) -> SendParams:
    """The ``send`` parameters a route renders, with ``changes`` (recipients as written)."""
    given: dict[str, Any] = {"to": "Ada Lovelace <ada@example.com>", "subject": "New chat"}
    given.update(changes)
    if "text" not in changes and "html" not in changes:
        given["text"] = "Hello, my order has not arrived."
    for key in ("to", "cc"):
        if given.get(key) is not None:
            given[key] = parse_recipients(given[key])
    return SendParams(**given)


def request(params: SendParams | None = None, **fields: Any) -> DeliveryRequest:
    """A delivery of ``params`` (default :func:`send`)."""
    return delivery_request("send", params or send(), **fields)


def config(
    smtp: SmtpServer, routes_with: dict[str, Any] | None = None, **changes: Any
) -> dict[str, Any]:
    """A host config: a generic source routed to the ``mail`` sink sending to ``smtp``."""
    return {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {
            "mail": {
                "plugin": "email",
                **options(smtp, **changes),
                "retry": {"initial_delay": "50ms", "max_delay": "200ms", "max_attempts": 4},
            }
        },
        "routes": [
            {
                "to": "mail",
                "with": routes_with
                or {
                    "to": "{{ event.customer.email }}",
                    "subject": "Chat {{ event.chat.id }}",
                    "text": "{{ event.message.text }}",
                },
            }
        ],
    }


def chat_event(
    number: int, chat: str = "chat-1", text: str = "Where is my order?"
) -> dict[str, Any]:
    """A generic source's event of ``chat``: a customer's message."""
    return {
        "id": f"event-{chat}-{number}",
        "type": "chat.message",
        "occurred_at": "2026-11-21T19:23:15Z",
        "chat": {"id": chat},
        "customer": {"id": "customer-1", "name": "Ada Lovelace", "email": "ada@example.com"},
        "message": {"id": f"m-{number}", "text": text},
    }
