"""SuperOffice (chat session, test and webhook state events) for hookyard.

Registers the ``superoffice`` vendor: a delivery is authentic when its
``X-SuperOffice-Signature`` is the base64 HMAC-SHA256 of the raw body under the source's
``secret``; the three chat session events, the ``test`` delivery and the webhook state
events become normalized events, any other event name an ``unknown`` event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import VendorSpec, hookimpl
from hookyard_superoffice._config import SuperOfficeConfig
from hookyard_superoffice._parse import EVENTS, parse
from hookyard_superoffice._simulate import ACTIONS, simulate
from hookyard_superoffice._verify import verify

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ACTIONS",
    "EVENTS",
    "SuperOfficeConfig",
    "hookyard_register_vendors",
    "parse",
    "simulate",
    "verify",
]


@hookimpl
def hookyard_register_vendors(register: Callable[[VendorSpec], None]) -> None:
    """Register the ``superoffice`` vendor."""
    register(
        VendorSpec(
            name="superoffice",
            config_type=SuperOfficeConfig,
            verify=verify,
            parse=parse,
            auth_fields=("secret",),
            simulate=simulate,
            actions=ACTIONS,
        )
    )
