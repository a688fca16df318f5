"""DeskDirector chat-session webhooks for hookyard.

Registers the ``deskdirector`` vendor: a delivery is authentic when ``x-dd-signature`` is
``sha256=`` and the HMAC-SHA256 of the raw body under the source's ``secret``; the body is
a JSON array of chat sessions, and each session becomes one event typed by its status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import VendorSpec, hookimpl
from hookyard_deskdirector._config import DeskDirectorConfig
from hookyard_deskdirector._parse import parse
from hookyard_deskdirector._simulate import ACTIONS, simulate
from hookyard_deskdirector._verify import verify

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DeskDirectorConfig", "hookyard_register_vendors", "parse", "simulate", "verify"]


@hookimpl
def hookyard_register_vendors(register: Callable[[VendorSpec], None]) -> None:
    """Register the ``deskdirector`` vendor."""
    register(
        VendorSpec(
            name="deskdirector",
            config_type=DeskDirectorConfig,
            verify=verify,
            parse=parse,
            auth_fields=("secret",),
            simulate=simulate,
            actions=ACTIONS,
        )
    )
