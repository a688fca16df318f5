"""Public: test helpers for hookyard plugin authors (and hookyard's own suite).

Installed with hookyard; the pytest plugin in :mod:`hookyard.testing.pytest_plugin` is
loaded automatically and provides the ``hookyard_host`` and ``recording_server`` fixtures
documented in docs/plugins.md. The contract servers (``SlackApi``, ``HubSpotApi``,
``ZendeskApi``, ``JiraApi``, ``SmtpServer``) are imported on first use.
"""

import importlib
from typing import Any

from hookyard.config import ConfigError
from hookyard.testing.api_server import ApiRequest, ApiServer, json_reply
from hookyard.testing.contract import (
    BUILT_IN,
    InstalledVendor,
    assert_vendor_plugin,
    installed_vendor,
)
from hookyard.testing.factories import delivery_request, sample_event, would_retry
from hookyard.testing.host import (
    Answered,
    Attempt,
    Delivery,
    HostFactory,
    TestHost,
    load_config,
    open_host,
)
from hookyard.testing.recorder import Recorded, RecordingServer, Reply
from hookyard.testing.sink_contract import assert_sink_contract

__all__ = [
    "BUILT_IN",
    "Answered",
    "ApiRequest",
    "ApiServer",
    "Attempt",
    "ConfigError",
    "Delivery",
    "HostFactory",
    "InstalledVendor",
    "Recorded",
    "RecordingServer",
    "Reply",
    "TestHost",
    "assert_sink_contract",
    "assert_vendor_plugin",
    "delivery_request",
    "installed_vendor",
    "json_reply",
    "load_config",
    "open_host",
    "sample_event",
    "would_retry",
]

#: The contract servers, each imported on first use (the SMTP one needs aiosmtpd).
_SERVERS = {
    "SlackApi": "hookyard.testing.saas.slack",
    "HubSpotApi": "hookyard.testing.saas.hubspot",
    "ZendeskApi": "hookyard.testing.saas.zendesk",
    "JiraApi": "hookyard.testing.saas.jira",
    "SmtpServer": "hookyard.testing.saas.smtp",
}
__all__ += list(_SERVERS)


def __getattr__(name: str) -> Any:
    if name in _SERVERS:
        return getattr(importlib.import_module(_SERVERS[name]), name)
    raise AttributeError(f"module 'hookyard.testing' has no attribute {name!r}")
