"""The plugin is found the way a third-party plugin is: through the ``hookyard`` entry points."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import hookyard_deskdirector
from hookyard.testing import BUILT_IN, assert_vendor_plugin, load_config
from hookyard_deskdirector import DeskDirectorConfig

if TYPE_CHECKING:
    import pytest

README = Path(__file__).parents[1] / "README.md"


def test_registered_through_its_entry_point_alone(tmp_path: Path) -> None:
    found = assert_vendor_plugin(
        "deskdirector",
        tmp_path,
        module=hookyard_deskdirector,
        distribution="hookyard-deskdirector",
        config_type=DeskDirectorConfig,
        auth_fields=("secret",),
    )
    assert found.spec.actions == ("created", "handled", "missed", "completed", "callback")


def test_blocking_the_plugin_removes_the_vendor(tmp_path: Path) -> None:
    registry = load_config({}, tmp_path, disabled=[*BUILT_IN, "deskdirector"]).registry
    assert "deskdirector" not in registry.vendors


def test_readme_example_configures_a_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DESKDIRECTOR_SECRET", "from-the-environment")
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "README.md has no yaml example"
    config = load_config(blocks[0], tmp_path, disabled=BUILT_IN).config
    source = config.sources["deskdirector-main"]
    assert source.vendor == "deskdirector"
    assert source.options == DeskDirectorConfig(secret="from-the-environment")
