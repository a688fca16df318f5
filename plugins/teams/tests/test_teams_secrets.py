"""The Workflows URL is the credential: whatever form httpx writes it in, its log shows
neither the signature nor the path."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import hookyard_teams
from hookyard.testing import Reply, delivery_request

if TYPE_CHECKING:
    import pytest

    from hookyard.testing import RecordingServer


async def test_the_url_stays_out_of_the_log_as_httpx_writes_it(
    recording_server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    recording_server.script(Reply(202, b""))
    port = recording_server.url.rsplit(":", 1)[1]
    # What Microsoft hands out: an upper-case host and the default port written out.
    url = f"http://LOCALHOST:{port}/workflows/f10w/triggers/manual/paths/invoke?sig=Sig-9f8e7d6c"
    sink = hookyard_teams.TeamsSink(hookyard_teams.TeamsConfig(webhook_url=url))
    try:
        with caplog.at_level(logging.DEBUG):
            await sink.deliver(delivery_request("post", hookyard_teams.TeamsPost(text="hi")))
    finally:
        await sink.aclose()
    assert recording_server.requests
    assert "Sig-9f8e7d6c" not in caplog.text
    assert "/workflows/f10w" not in caplog.text
