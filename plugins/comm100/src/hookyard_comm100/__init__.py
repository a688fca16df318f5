"""Comm100 Live Chat (chat, offline message and agent status webhooks) for hookyard.

Registers the ``comm100`` vendor. Comm100 signs nothing and sends no credential, so the
plugin's ``verify`` accepts every request: a Comm100 source is protected by hookyard's
source-level ``token``, ``basic_auth`` and ``allow_ips`` (README.md). The offline message,
chat (requested, started, transferred, ended, wrapped up) and agent status events become
normalized events, any other event name an ``unknown`` event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import VendorSpec, hookimpl
from hookyard_comm100._config import Comm100Config
from hookyard_comm100._parse import EVENTS, parse
from hookyard_comm100._simulate import ACTIONS, simulate

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import WebhookRequest

__all__ = [
    "ACTIONS",
    "EVENTS",
    "Comm100Config",
    "hookyard_register_vendors",
    "parse",
    "simulate",
    "verify",
]


def verify(config: Comm100Config, request: WebhookRequest) -> None:
    """Accept every request: nothing in a Comm100 delivery can be verified.

    Comm100 neither signs its webhooks nor sends a secret; what keeps strangers out is
    checked by hookyard before this is called (the source's ``token``, ``basic_auth`` or
    ``allow_ips``), or the source says ``auth: none``.
    """


@hookimpl
def hookyard_register_vendors(register: Callable[[VendorSpec], None]) -> None:
    """Register the ``comm100`` vendor."""
    register(
        VendorSpec(
            name="comm100",
            config_type=Comm100Config,
            verify=verify,
            parse=parse,
            auth_fields=(),
            simulate=simulate,
            actions=ACTIONS,
        )
    )
