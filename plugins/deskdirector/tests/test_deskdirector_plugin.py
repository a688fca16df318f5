"""The plugin is found the way a third-party plugin is: through the ``hookyard`` entry points."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path
from typing import TYPE_CHECKING

import hookyard_deskdirector
from hookyard.testing import load_config
from hookyard_deskdirector import DeskDirectorConfig

if TYPE_CHECKING:
    import pytest

#: The built-in plugins; left out so only entry-point plugins can provide ``deskdirector``.
BUILT_IN = ["generic", "http", "file", "log"]
README = Path(__file__).parents[1] / "README.md"


def test_entry_point_is_declared_by_the_distribution() -> None:
    (entry_point,) = [
        ep for ep in importlib.metadata.entry_points(group="hookyard") if ep.name == "deskdirector"
    ]
    assert entry_point.value == "hookyard_deskdirector"
    assert entry_point.dist is not None and entry_point.dist.name == "hookyard-deskdirector"
    assert entry_point.load() is hookyard_deskdirector


def test_registered_through_the_plugin_manager(tmp_path: Path) -> None:
    registry = load_config({}, tmp_path, disabled=BUILT_IN).registry
    spec = registry.vendors["deskdirector"]
    assert registry.owners["vendor:deskdirector"] == "deskdirector"
    assert spec.config_type is DeskDirectorConfig
    assert (spec.verify, spec.parse, spec.simulate) == (
        hookyard_deskdirector.verify,
        hookyard_deskdirector.parse,
        hookyard_deskdirector.simulate,
    )
    assert spec.auth_fields == ("secret",)
    assert spec.actions == ("created", "handled", "missed", "completed", "callback")


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
