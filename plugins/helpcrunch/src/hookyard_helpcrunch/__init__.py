"""HelpCrunch chat, message and customer webhooks for hookyard.

Registers the ``helpcrunch`` vendor: a delivery is authentic when its
``X-HelpCrunch-Signature`` is the hex HMAC-SHA1 of the raw body under the source's
``secret``; the 7 chat, 5 message and 8 customer events become normalized events, any
other event name an ``unknown`` event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import VendorSpec, hookimpl
from hookyard_helpcrunch._config import HelpCrunchConfig
from hookyard_helpcrunch._parse import EVENTS, parse
from hookyard_helpcrunch._simulate import ACTIONS, simulate
from hookyard_helpcrunch._verify import verify

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ACTIONS",
    "EVENTS",
    "HelpCrunchConfig",
    "hookyard_register_vendors",
    "parse",
    "simulate",
    "verify",
]


@hookimpl
def hookyard_register_vendors(register: Callable[[VendorSpec], None]) -> None:
    """Register the ``helpcrunch`` vendor."""
    register(
        VendorSpec(
            name="helpcrunch",
            config_type=HelpCrunchConfig,
            verify=verify,
            parse=parse,
            auth_fields=("secret",),
            simulate=simulate,
            actions=ACTIONS,
        )
    )
