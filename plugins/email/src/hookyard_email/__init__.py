"""E-mail over SMTP for hookyard.

Registers the ``email`` sink: its one action, ``send``, sends each delivery as one mail
through the configured SMTP server (aiosmtplib; STARTTLS, implicit TLS or none; AUTH
LOGIN/PLAIN). Every mail's ``Message-ID`` is made of the delivery's idempotency key, so a
mail sent again after an uncertain attempt is recognisably the same one, and the mails of
one conversation are threaded (``In-Reply-To``/``References``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import SinkSpec, hookimpl
from hookyard_email import _config, _params
from hookyard_email._config import EmailConfig
from hookyard_email._message import build_message, message_id
from hookyard_email._params import Recipients, SendParams, parse_recipients
from hookyard_email._sink import EmailSink

if TYPE_CHECKING:
    from collections.abc import Callable

    import cattrs

__all__ = [
    "EmailConfig",
    "EmailSink",
    "Recipients",
    "SendParams",
    "build_message",
    "hookyard_configure_converter",
    "hookyard_register_sinks",
    "message_id",
    "parse_recipients",
]


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``email`` sink."""
    register(
        SinkSpec(
            name="email",
            config_type=EmailConfig,
            open=EmailSink,
            actions=("send",),
            params={"send": SendParams},
        )
    )


@hookimpl
def hookyard_configure_converter(converter: cattrs.Converter) -> None:
    """Teach the converter the ``from`` option and the recipients of ``to`` and ``cc``."""
    _config.configure(converter)
    _params.configure(converter)
