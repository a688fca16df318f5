"""The plugin is found the way a third-party plugin is: through the ``hookyard`` entry points;
its README's options and example are what the host accepts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from comm100_support import request_for

import hookyard_comm100
from hookyard.testing import BUILT_IN, assert_vendor_plugin, load_config
from hookyard_comm100 import Comm100Config

if TYPE_CHECKING:
    import pytest

README = Path(__file__).parents[1] / "README.md"
DOCS_PAGE = Path(__file__).parents[3] / "docs" / "vendors" / "comm100.md"
#: hookyard's own source options that protect a source of a vendor that signs nothing.
HOST_OPTIONS = {"token", "basic_auth", "allow_ips", "auth"}


def test_registered_through_its_entry_point_alone(tmp_path: Path) -> None:
    assert_vendor_plugin(
        "comm100",
        tmp_path,
        module=hookyard_comm100,
        distribution="hookyard-comm100",
        config_type=Comm100Config,
        auth_fields=(),
    )


def test_blocking_the_plugin_removes_the_vendor(tmp_path: Path) -> None:
    registry = load_config({}, tmp_path, disabled=[*BUILT_IN, "comm100"]).registry
    assert "comm100" not in registry.vendors


def test_verify_accepts_anything_because_comm100_signs_nothing() -> None:
    hookyard_comm100.verify(Comm100Config(), request_for(b"anything at all"))


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_example_configures_a_protected_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMM100_TOKEN", "from-the-environment-0123456789")
    monkeypatch.setenv("COMM100_PASSWORD", "password-from-the-environment")
    [block] = re.findall(r"```yaml\n(.*?)```", _readme(), re.DOTALL)
    config = load_config(block, tmp_path, disabled=BUILT_IN).config
    source = config.sources["comm100-main"]
    assert source.vendor == "comm100"
    assert source.options == Comm100Config()
    assert source.auth == "vendor"  # protected by its token: no `auth: none`


def test_readme_option_table_lists_exactly_the_options_a_source_takes() -> None:
    table = _readme().split("## Configuration")[1].split("```yaml")[0]
    options = set(re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE))
    assert options == HOST_OPTIONS | {field.name for field in attrs.fields(Comm100Config)}


def test_readme_table_names_every_event_the_parser_maps() -> None:
    table = _readme().split("## What each event becomes")[1]
    for name in hookyard_comm100.EVENTS:
        assert f"`{name}`" in table, name


def test_vendor_docs_page_is_the_readme() -> None:
    readme, page = _readme(), DOCS_PAGE.read_text(encoding="utf-8")
    copy_note = "; this page is a copy of `plugins/comm100/README.md`."
    assert copy_note in page
    assert page.replace(copy_note, ".", 1) == readme
