"""The YAML examples of the README and docs/sinks/zendesk.md pass ``hookyard check``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hookyard.testing import load_config

ROOT = Path(__file__).parents[3]
DOCS = (ROOT / "plugins" / "zendesk" / "README.md", ROOT / "docs" / "sinks" / "zendesk.md")
BLOCK = re.compile(r"^```yaml\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_the_example_config_is_valid(
    doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVECHAT_SECRET", "example-livechat-secret")
    monkeypatch.setenv("ZENDESK_TOKEN", "example-zendesk-token")
    [example] = BLOCK.findall(doc.read_text(encoding="utf-8"))
    setup = load_config(example, tmp_path)
    routes = [(r.to, r.action) for r in setup.config.routes]
    assert routes == [("desk", "create_ticket"), ("desk", "add_comment"), ("desk", "set_status")]
    assert setup.config.sinks["desk"].options.token == "example-zendesk-token"
