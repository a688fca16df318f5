"""Relative paths in a configuration file are relative to its folder, for check and serve."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from attrs import frozen

from hookyard import FilePath, Sink, SinkSpec, hookimpl
from hookyard.config import parse_config
from hookyard.config.converter import make_converter
from hookyard.host import Host, load_setup, setup_from_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard.plugins import Registry

CONFIG = """\
database: sqlite:///state/hookyard.db
sources:
  in: {vendor: generic, auth: none}
sinks:
  journal: {plugin: file, path: out/journal.jsonl}
routes:
  - {name: everything, to: journal}
workers: {poll_interval: 0.05s}
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``etc/hookyard.yaml`` with relative paths, used from another working directory."""
    path = tmp_path / "etc" / "hookyard.yaml"
    path.parent.mkdir()
    path.write_text(CONFIG)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return Path("..") / "etc" / "hookyard.yaml"


def test_check_resolves_relative_paths_against_the_config_folder(
    config_file: Path, tmp_path: Path
) -> None:
    config = load_setup(config_file, disabled=[]).config
    etc = tmp_path / "etc"
    assert config.sinks["journal"].options.path == str(etc / "out" / "journal.jsonl")
    assert config.database == f"sqlite:///{etc / 'state' / 'hookyard.db'}"


async def test_serve_appends_next_to_the_config_file(config_file: Path, tmp_path: Path) -> None:
    host = Host.from_file(config_file, disabled=[])
    await host.start()
    try:
        body = json.dumps({"id": "evt-1", "type": "chat.started"}).encode()
        answer = await host.intake.receive("in", {"content-type": "application/json"}, body)
        assert answer.status == 200
        journal = tmp_path / "etc" / "out" / "journal.jsonl"
        for _ in range(200):
            if journal.exists() and journal.read_text():
                break
            await asyncio.sleep(0.05)
        assert json.loads(journal.read_text())["id"] == "evt-1"
        assert not (tmp_path / "elsewhere" / "out").exists()
    finally:
        await host.stop()
    assert (tmp_path / "etc" / "state" / "hookyard.db").exists()


def test_home_and_absolute_paths_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    text = (
        "sinks:\n  a: {plugin: file, path: ~/a.jsonl}\n"
        f"  b: {{plugin: file, path: {tmp_path}/b}}\n"
    )
    config = parse_config(text, make_converter(), registry, tmp_path / "etc" / "x.yaml")
    assert config.sinks["a"].options.path == str(tmp_path / "home" / "a.jsonl")
    assert config.sinks["b"].options.path == str(tmp_path / "b")


@frozen
class ArchiveConfig:
    """A third-party sink's options, with a :data:`hookyard.FilePath`."""

    folder: FilePath


class ArchivePlugin:
    @hookimpl
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
        register(
            SinkSpec(name="archive", config_type=ArchiveConfig, open=_never, actions=("store",))
        )


def _never(_config: ArchiveConfig) -> Sink:
    raise AssertionError("check opens no sink")


def test_a_plugin_option_typed_filepath_is_resolved_too(tmp_path: Path) -> None:
    text = "sinks:\n  old: {plugin: archive, folder: archive/old}\n"
    setup = setup_from_text(
        text, tmp_path / "etc" / "hookyard.yaml", disabled=[], plugins={"archive": ArchivePlugin()}
    )
    assert setup.config.sinks["old"].options.folder == str(tmp_path / "etc" / "archive" / "old")


def test_without_a_config_file_a_relative_path_stays_relative(registry: Registry) -> None:
    text = "sinks:\n  a: {plugin: file, path: out/a.jsonl}\n"
    config = parse_config(text, make_converter(), registry)
    assert config.sinks["a"].options.path == "out/a.jsonl"
