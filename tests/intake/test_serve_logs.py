"""What ``hookyard serve`` writes to its log: the chosen level, and no secrets."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
import pytest

from conftest import LIVECHAT_SECRET
from serve_process import ServeProcess, free_port, wait_until

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.host import Host


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_logs_at_the_chosen_level_without_secrets(
    host: Host, serve_config: Path, tmp_path: Path
) -> None:
    server = ServeProcess(serve_config, free_port(), tmp_path / "serve.log").start()
    options = host.config.sources["chat"].options
    body = json.loads(host.registry.vendors["livechat"].simulate(options, "incoming_chat").body)
    try:
        accepted = httpx.post(f"{server.url}/hooks/chat", content=json.dumps(body))
        body["secret_key"] = "lc-secret-a-wrong-guess"
        refused = httpx.post(f"{server.url}/hooks/chat", content=json.dumps(body))
        wait_until(lambda: "authentication failed" in server.output(), 5, "the warning")
    finally:
        server.stop()
    assert (accepted.status_code, refused.status_code) == (200, 401)
    log = server.output()
    assert "WARNING hookyard.intake: source chat: authentication failed" in log
    assert " INFO " not in log  # started with --log-level warning
    assert LIVECHAT_SECRET not in log
    assert "lc-secret-a-wrong-guess" not in log
