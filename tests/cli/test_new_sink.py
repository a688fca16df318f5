"""``hookyard new sink NAME``: a plugin package whose own tests pass as written."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from typing import TYPE_CHECKING

from click.testing import CliRunner

from hookyard.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def test_the_new_package_passes_its_own_tests(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    made = CliRunner().invoke(main, ["new", "sink", "acme-crm", "--dir", str(folder)])
    assert made.exit_code == 0, made.output
    assert f"wrote {folder / 'src' / 'hookyard_acme_crm' / '__init__.py'}" in made.output

    project = tomllib.loads((folder / "pyproject.toml").read_text())
    assert project["project"]["name"] == "hookyard-acme-crm"
    assert project["project"]["entry-points"]["hookyard"] == {"acme_crm": "hookyard_acme_crm"}
    assert "plugin: acme_crm" in (folder / "README.md").read_text()

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout


def test_a_name_that_cannot_be_a_package_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new", "sink", "Acme CRM", "--dir", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "'Acme CRM' is not a sink name" in result.output
    assert not (tmp_path / "x").exists()


def test_a_folder_with_files_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["new", "sink", "acme", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_the_name_of_a_built_in_or_installed_plugin_is_refused(tmp_path: Path) -> None:
    for name in ("http", "slack", "livechat"):
        result = CliRunner().invoke(main, ["new", "sink", name, "--dir", str(tmp_path / name)])
        assert result.exit_code == 2, result.output
        assert f"'{name}' is taken" in result.output
        assert not (tmp_path / name).exists()
