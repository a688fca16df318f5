"""The mail one delivery sends: headers, bodies, a stable Message-ID and the thread."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard import DeliveryRequest
    from hookyard_email._config import EmailConfig
    from hookyard_email._params import SendParams

__all__ = ["build_message", "envelope_recipients", "message_id", "thread_link"]

#: What may stand in a Message-ID's left part (RFC 5322 dot-atom text, without the dot).
_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]")


def message_id(idempotency_key: str, sender: str) -> str:
    """``<{key}@{domain of the sender}>``: the same on every attempt and replay."""
    domain = sender.rpartition("@")[2]
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        domain = "hookyard.invalid"
    left = _NOT_ATEXT.sub("-", idempotency_key) or "hookyard"
    return f"<{left}@{domain.lower() or 'hookyard.invalid'}>"


def build_message(config: EmailConfig, request: DeliveryRequest) -> EmailMessage:
    """The mail for ``request``: ``From`` the sink's sender, ``To``, ``Cc``, ``Subject``,
    ``Date``, a ``Message-ID`` of the idempotency key, and ``In-Reply-To``/``References``
    to the conversation's earlier mails (``request.link``)."""
    params: SendParams = request.params
    message = EmailMessage()
    message["From"] = config.from_
    message["To"] = ", ".join(params.to)
    if params.cc:
        message["Cc"] = ", ".join(params.cc)
    message["Subject"] = " ".join(params.subject.split())
    message["Date"] = format_datetime(datetime.now(UTC))
    own = message_id(request.idempotency_key, config.sender)
    message["Message-ID"] = own
    # A replay of an earlier mail has its own id in the link: it refers to none of itself.
    earlier = [i for i in dict.fromkeys(_thread(request.link)) if i is not None and i != own]
    if earlier:
        message["In-Reply-To"] = earlier[-1]
        message["References"] = " ".join(earlier)
    if params.text is not None:
        message.set_content(params.text)
        if params.html is not None:
            message.add_alternative(params.html, subtype="html")
    elif params.html is not None:
        message.set_content(params.html, subtype="html")
    return message


def envelope_recipients(params: SendParams) -> list[str]:
    """The addresses of ``to`` and ``cc`` (RCPT TO), each once, in order."""
    addresses = [address for _name, address in getaddresses([*params.to, *(params.cc or ())])]
    return list(dict.fromkeys(addresses))


def thread_link(link: Mapping[str, Any], sent: str) -> dict[str, str]:
    """What to keep for the conversation after mail ``sent``: the first mail's id (kept
    from the first delivery on) and the latest one's."""
    first, _last = _thread(link)
    return {"message_id": first or sent, "last_message_id": sent}


def _thread(link: Mapping[str, Any]) -> tuple[str | None, str | None]:
    first = link.get("message_id")
    if not isinstance(first, str):
        return None, None
    last = link.get("last_message_id")
    return first, last if isinstance(last, str) else first
