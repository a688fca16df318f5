"""The plugin is found the way a third-party plugin is: through the ``hookyard`` entry points."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import hookyard_livechat
from hookyard.testing import BUILT_IN, assert_vendor_plugin, load_config
from hookyard_livechat import LiveChatConfig
from hookyard_livechat._parse import HANDLERS

if TYPE_CHECKING:
    import pytest

README = Path(__file__).parents[1] / "README.md"


def test_registered_through_its_entry_point_alone(tmp_path: Path) -> None:
    found = assert_vendor_plugin(
        "livechat",
        tmp_path,
        module=hookyard_livechat,
        distribution="hookyard-livechat",
        config_type=LiveChatConfig,
        auth_fields=("secret",),
    )
    assert "incoming_chat" in found.spec.actions and "thread_untagged" in found.spec.actions


def test_registered_alongside_the_built_in_plugins(tmp_path: Path) -> None:
    registry = load_config({}, tmp_path, disabled=[]).registry
    assert registry.owners["vendor:livechat"] == "livechat"
    assert registry.vendors["livechat"].parse is hookyard_livechat.parse


def test_blocking_the_plugin_removes_the_vendor(tmp_path: Path) -> None:
    registry = load_config({}, tmp_path, disabled=[*BUILT_IN, "livechat"]).registry
    assert "livechat" not in registry.vendors


def _readme_yaml() -> str:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "README.md has no yaml example"
    return str(blocks[0])


def test_readme_example_configures_a_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LIVECHAT_SECRET", "from-the-environment")
    config = load_config(_readme_yaml(), tmp_path, disabled=BUILT_IN).config
    source = config.sources["livechat-main"]
    assert source.vendor == "livechat"
    assert source.options == LiveChatConfig(secret="from-the-environment")


def test_vendor_docs_page_matches_the_readme() -> None:
    page = Path(__file__).parents[3] / "docs" / "vendors" / "livechat.md"
    readme = README.read_text(encoding="utf-8").splitlines(keepends=True)
    copy = page.read_text(encoding="utf-8").splitlines(keepends=True)
    assert copy[2].startswith(readme[2].rstrip().removesuffix("."))
    assert copy[2].rstrip().endswith("this page is a copy of `plugins/livechat/README.md`.")
    assert copy[:2] + copy[3:] == readme[:2] + readme[3:]


def test_readme_lists_every_mapped_action() -> None:
    text = README.read_text(encoding="utf-8").split("## What each action becomes")[1]
    missing = [action for action in HANDLERS if f"`{action}`" not in text]
    assert missing == []
