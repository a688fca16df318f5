"""A hookyard app served through Litestar's test client (lifespan and all), and a reader.

The app runs in the test client's own thread and event loop, exactly as under uvicorn;
the tests look at the database through a separate :class:`~hookyard.store.Store`, i.e.
another connection, the way a second replica or ``hookyard deliveries list`` would.

The host also has two sources of the in-process ``echo`` test vendor (see echo_vendor.py),
whose parser raises when asked: "authentic, parser raised" without relying on a lax vendor.
A ``hookyard serve`` subprocess cannot load that plugin: give it :func:`serve_config`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from echo_vendor import PLUGINS
from litestar.testing import AsyncTestClient

from hookyard.host import Host, load_setup
from hookyard.store import Store
from hookyard.web.app import create_app

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from hookyard.testing import RecordingServer

LIVECHAT_SECRET = "lc-secret-Zq81xWv3"
#: A secret that JSON writers may escape: ``\\/`` for ``/``, ``\\u0026`` for ``&``.
ESCAPABLE_SECRET = "lc/secret&Zq81<x>"
ECHO_SECRET = "echo-secret-Hq27pLm4"
GENERIC_SECRET = "whsec_Z2VuZXJpYy1zZWNyZXQtSG41MnBLZTctZm9yLXRlc3Rz"
SMALL_LIMIT = 2048

CONFIG = """\
database: "{database}"
sources:
  chat: {{vendor: livechat, secret: "{livechat}"}}
  small: {{vendor: livechat, secret: "{livechat}", max_body_bytes: {small}}}
  open: {{vendor: livechat, auth: none}}
  escapable: {{vendor: livechat, secret: "{escapable}"}}
  gen: {{vendor: generic, secret: "{generic}"}}
{echo_sources}sinks:
  tests: {{plugin: http, url: "{sink}/tests", retry: {{initial_delay: 0.2s}}}}
  chats: {{plugin: http, url: "{sink}/chats", retry: {{initial_delay: 0.2s}}}}
routes:
  - name: tests only
    match: {{type: webhook.test}}
    to: tests
  - name: every event
    to: chats
workers: {{poll_interval: 0.1s, lease: 5s}}
"""

#: The ``echo`` sources of :data:`CONFIG`, for a host with the ``echo`` plugin in-process.
ECHO_SOURCES = """\
  echo: {{vendor: echo, secret: "{echo}"}}
  echo-escapable: {{vendor: echo, secret: "{escapable}"}}
"""


def _config_text(database_url: str, sink: str, *, echo: bool) -> str:
    secrets = {"echo": ECHO_SECRET, "escapable": ESCAPABLE_SECRET}
    return CONFIG.format(
        database=database_url,
        livechat=LIVECHAT_SECRET,
        escapable=ESCAPABLE_SECRET,
        generic=GENERIC_SECRET,
        small=SMALL_LIMIT,
        sink=sink,
        echo_sources=ECHO_SOURCES.format(**secrets) if echo else "",
    )


def livechat(host: Host, action: str = "incoming_chat", **changes: Any) -> dict[str, Any]:
    """A realistic LiveChat delivery for source ``chat`` (fresh ids), as a dict."""
    options = host.config.sources["chat"].options
    body: dict[str, Any] = json.loads(
        host.registry.vendors["livechat"].simulate(options, action).body
    )
    body.update(changes)
    return body


@pytest.fixture
def host(tmp_path: Path, database_url: str, recording_server: RecordingServer) -> Host:
    """A host on ``database_url`` with livechat, generic, ``auth: none`` and echo sources."""
    path = tmp_path / "hookyard.yaml"
    path.write_text(_config_text(database_url, recording_server.url, echo=True))
    return Host(load_setup(path, plugins=PLUGINS))


@pytest.fixture
def serve_config(
    tmp_path: Path, database_url: str, recording_server: RecordingServer, host: Host
) -> Path:
    """The ``host``'s configuration without the echo sources, for ``hookyard serve``.

    Same database, sinks and other sources: a subprocess serves what ``host`` would.
    """
    path = tmp_path / "serve.yaml"
    path.write_text(_config_text(database_url, recording_server.url, echo=False))
    return path


@pytest.fixture
def workers() -> bool:
    """Whether the app runs delivery workers; parametrize it to False for intake only."""
    return True


@pytest.fixture
async def client(host: Host, workers: bool) -> AsyncIterator[AsyncTestClient[Any]]:
    """The HTTP edge of ``host`` with intake (and workers) running: lifespan started."""
    async with AsyncTestClient(app=create_app(host, workers=workers)) as client:
        yield client


@pytest.fixture
async def reader(database_url: str, client: AsyncTestClient[Any]) -> AsyncIterator[Store]:
    """Another connection to the host's database (opened after the host migrated it)."""
    store = Store(database_url)
    yield store
    await store.engine.dispose()
