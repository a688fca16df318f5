"""The plugin is found the way a third-party plugin is: through the ``hookyard`` entry points."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import hookyard_helpcrunch
from hookyard.testing import BUILT_IN, assert_vendor_plugin, load_config
from hookyard_helpcrunch import HelpCrunchConfig

if TYPE_CHECKING:
    import pytest

README = Path(__file__).parents[1] / "README.md"


def test_registered_through_its_entry_point_alone(tmp_path: Path) -> None:
    assert_vendor_plugin(
        "helpcrunch",
        tmp_path,
        module=hookyard_helpcrunch,
        distribution="hookyard-helpcrunch",
        config_type=HelpCrunchConfig,
        auth_fields=("secret",),
    )


def test_readme_example_configures_a_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HELPCRUNCH_SECRET", "from-the-environment")
    [block] = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    config = load_config(block, tmp_path, disabled=BUILT_IN).config
    source = config.sources["helpcrunch-main"]
    assert source.vendor == "helpcrunch"
    assert source.options == HelpCrunchConfig(secret="from-the-environment")


def test_vendor_docs_page_matches_the_readme() -> None:
    page = Path(__file__).parents[3] / "docs" / "vendors" / "helpcrunch.md"
    readme_table = README.read_text(encoding="utf-8").split("## What each event becomes")[1]
    assert readme_table in page.read_text(encoding="utf-8")
