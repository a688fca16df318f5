"""The plugin is found the way a third-party plugin is: through the ``hookyard`` entry points;
its README documents every option, event and action it has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

import hookyard_superoffice
from hookyard.testing import BUILT_IN, assert_vendor_plugin, load_config
from hookyard_superoffice import ACTIONS, EVENTS, SuperOfficeConfig

if TYPE_CHECKING:
    import pytest

README = Path(__file__).parents[1] / "README.md"
PAGE = Path(__file__).parents[3] / "docs" / "vendors" / "superoffice.md"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def test_registered_through_its_entry_point_alone(tmp_path: Path) -> None:
    assert_vendor_plugin(
        "superoffice",
        tmp_path,
        module=hookyard_superoffice,
        distribution="hookyard-superoffice",
        config_type=SuperOfficeConfig,
        auth_fields=("secret",),
    )


def test_blocking_the_plugin_removes_the_vendor(tmp_path: Path) -> None:
    registry = load_config({}, tmp_path, disabled=[*BUILT_IN, "superoffice"]).registry
    assert "superoffice" not in registry.vendors


def test_readme_example_configures_a_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SUPEROFFICE_SECRET", "from-the-environment")
    [block] = re.findall(r"```yaml\n(.*?)```", _readme(), re.DOTALL)
    config = load_config(block, tmp_path, disabled=BUILT_IN).config
    source = config.sources["superoffice-main"]
    assert source.vendor == "superoffice"
    assert source.options == SuperOfficeConfig(secret="from-the-environment")


def test_readme_option_table_lists_every_option() -> None:
    section = _readme().split("## Configuration")[1].split("\n## ")[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)
    assert rows == [field.name for field in attrs.fields(SuperOfficeConfig)]


def test_readme_event_table_names_every_event_and_action() -> None:
    section = _readme().split("## What each event becomes")[1]
    for name in (*EVENTS, *ACTIONS):
        assert f"`{name}`" in section, name


def test_vendor_docs_page_is_a_copy_of_the_readme() -> None:
    """docs/vendors/superoffice.md is the README; only its opening sentence says so."""
    readme = _readme().splitlines()
    page = PAGE.read_text(encoding="utf-8").splitlines()
    assert page[:2] + page[3:] == readme[:2] + readme[3:]
    assert page[2] == readme[2].removesuffix(".") + (
        "; this page is a copy of `plugins/superoffice/README.md`."
    )
