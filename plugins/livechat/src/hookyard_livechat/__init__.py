"""LiveChat (Text platform) webhooks v3.x for hookyard.

Registers the ``livechat`` vendor: a delivery is authentic when the ``secret_key`` inside
its JSON body equals the source's ``secret``; each of the 38 actions of webhooks v3.6 (and
v3.5's ``incoming_customer``) becomes one normalized event, any other action an ``unknown``
event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import VendorSpec, hookimpl
from hookyard_livechat._config import LiveChatConfig
from hookyard_livechat._parse import parse
from hookyard_livechat._simulate import ACTIONS, simulate
from hookyard_livechat._verify import verify

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["LiveChatConfig", "hookyard_register_vendors", "parse", "simulate", "verify"]


@hookimpl
def hookyard_register_vendors(register: Callable[[VendorSpec], None]) -> None:
    """Register the ``livechat`` vendor."""
    register(
        VendorSpec(
            name="livechat",
            config_type=LiveChatConfig,
            verify=verify,
            parse=parse,
            auth_fields=("secret",),
            simulate=simulate,
            actions=ACTIONS,
        )
    )
