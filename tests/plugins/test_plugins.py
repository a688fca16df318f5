"""The plugin manager: what is installed, how it is found, and what it refuses."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from hookyard.cli import main
from hookyard.config import ConfigError
from hookyard.hookspecs import hookimpl
from hookyard.host import Host
from hookyard.plugins import (
    BUILTIN_PLUGINS,
    PluginError,
    collect_registry,
    get_plugin_manager,
    validate,
)
from hookyard.sinks import SinkSpec
from hookyard.vendors import VendorSpec

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).parents[2]
BUILT_IN = {"generic", "http", "file", "log"}


def test_the_default_plugins_and_livechat_are_registered() -> None:
    pm = get_plugin_manager(disabled=[])
    assert {name for name, _ in pm.list_name_plugin()} >= {*BUILT_IN, "livechat"}
    registry = collect_registry(pm)
    assert {"generic", "livechat"} <= set(registry.vendors)
    assert {"http", "file", "log"} <= set(registry.sinks)
    assert registry.owners["vendor:livechat"] == "livechat"
    assert registry.owners["sink:http"] == "http"


def test_livechat_has_no_private_door() -> None:
    """livechat arrives through the public entry-point group, as a third party's plugin."""
    (entry_point,) = [
        ep for ep in importlib.metadata.entry_points(group="hookyard") if ep.name == "livechat"
    ]
    assert entry_point.dist is not None and entry_point.dist.name == "hookyard-livechat"
    assert "livechat" not in BUILTIN_PLUGINS
    core = ROOT / "core" / "src" / "hookyard"
    mentions = [p for p in core.rglob("*.py") if "hookyard_livechat" in p.read_text("utf-8")]
    assert mentions == []
    pm = get_plugin_manager(disabled=[])
    dists = {pm.get_name(plugin): dist.project_name for plugin, dist in pm.list_plugin_distinfo()}
    assert dists["livechat"] == "hookyard-livechat"


def test_hookyard_disable_plugins_removes_livechat(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOOKYARD_DISABLE_PLUGINS", "log, livechat")
    pm = get_plugin_manager()
    assert not pm.has_plugin("livechat") and not pm.has_plugin("log")
    assert pm.has_plugin("http")
    config = tmp_path / "hookyard.yaml"
    config.write_text("sources:\n  chats: {vendor: livechat, secret: s}\n")
    with pytest.raises(ConfigError) as caught:
        Host.from_file(config)
    (problem,) = caught.value.problems
    assert problem.startswith("sources.chats.vendor (line 2): vendor 'livechat' is not installed")
    installed = problem.partition("(installed: ")[2].rstrip(")").split(", ")
    assert "generic" in installed and "livechat" not in installed


def _vendor_plugin(name: str) -> object:
    class Plugin:
        @hookimpl
        def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> None:
            register(VendorSpec(name=name, config_type=dict, verify=_noop, parse=_noop))

    return Plugin()


def _sink_plugin(name: str) -> object:
    class Plugin:
        @hookimpl
        def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
            register(SinkSpec(name=name, config_type=dict, open=_noop))

    return Plugin()


def _noop(*_args: Any) -> Any:
    raise AssertionError("never called")


@pytest.mark.parametrize(
    ("make", "kind", "taken"),
    [(_vendor_plugin, "vendor", "livechat"), (_sink_plugin, "sink", "http")],
)
def test_two_plugins_registering_one_name_are_refused(
    make: Callable[[str], object], kind: str, taken: str
) -> None:
    pm = get_plugin_manager(disabled=[])
    pm.register(make(taken), name="copycat")
    with pytest.raises(PluginError) as caught:
        collect_registry(pm)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{kind} {taken!r} is registered by both plugin ")
    assert {"'copycat'", f"'{taken}'"} <= set(message.replace(";", " ").split())


def test_plugins_registering_different_names_coexist() -> None:
    pm = get_plugin_manager(disabled=[])
    pm.register(_vendor_plugin("acme"), name="acme-vendor")
    pm.register(_sink_plugin("acme"), name="acme-sink")
    registry = collect_registry(pm)
    assert registry.owners["vendor:acme"] == "acme-vendor"
    assert registry.owners["sink:acme"] == "acme-sink"


class _Misspelled:
    @hookimpl
    def hookyard_nonexistent(self) -> None:
        """Not a hookyard hook."""


def test_a_plugin_implementing_an_unknown_hook_is_refused() -> None:
    pm = get_plugin_manager(disabled=[])
    validate(pm)  # the installed plugins pass
    pm.register(_Misspelled(), name="misspelled")
    with pytest.raises(PluginError) as caught:
        validate(pm)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("plugin 'misspelled' implements a hook hookyard does not define")
    assert "hookyard_nonexistent" in message
    assert "hookyard_register_sinks" in message  # the hooks there are


def test_hookyard_plugins_lists_name_distribution_version_and_hooks() -> None:
    result = CliRunner().invoke(main, ["plugins"], env={"HOOKYARD_DISABLE_PLUGINS": ""})
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()}
    livechat = importlib.metadata.version("hookyard-livechat")
    core = importlib.metadata.version("hookyard")
    assert lines["plugin"] == ["plugin", "registers", "distribution", "version", "hooks"]
    assert lines["livechat"][1:] == [
        "vendor",
        "livechat",
        "hookyard-livechat",
        livechat,
        "hookyard_register_vendors",
    ]
    assert lines["http"][1:] == ["sink", "http", "hookyard", core, "hookyard_register_sinks"]


def test_hookyard_plugins_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKYARD_DISABLE_PLUGINS", "file")
    result = CliRunner().invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    found = {info["name"]: info for info in json.loads(result.output)}
    assert "file" not in found
    assert set(found) >= {"generic", "http", "log", "livechat"}
    assert found["livechat"] == {
        "name": "livechat",
        "distribution": "hookyard-livechat",
        "version": importlib.metadata.version("hookyard-livechat"),
        "hooks": ["hookyard_register_vendors"],
        "vendors": ["livechat"],
        "sinks": [],
    }
    assert found["generic"]["distribution"] == "hookyard"
    assert found["generic"]["hooks"] == [
        "hookyard_configure_converter",
        "hookyard_register_vendors",
    ]


def _install_broken_plugin(site: Path) -> None:
    """A distribution whose ``hookyard`` entry point fails to import, as a bad release would."""
    info = site / "hookyard_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hookyard-broken\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[hookyard]\nbroken = hookyard_broken_module\n")
    (site / "hookyard_broken_module.py").write_text("import a_module_that_is_not_installed\n")


def test_a_plugin_that_fails_to_import_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_broken_plugin(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as raised:
        get_plugin_manager(disabled=[])
    message = str(raised.value)
    assert "plugin 'broken' from hookyard-broken cannot be loaded" in message
    assert "a_module_that_is_not_installed" in message
    assert "HOOKYARD_DISABLE_PLUGINS=broken" in message
    assert get_plugin_manager(disabled=["broken"]).has_plugin("livechat")


def test_an_installed_plugin_with_a_built_in_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "hookyard_http-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hookyard-http\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[hookyard]\nhttp = hookyard_http_lookalike\n")
    (tmp_path / "hookyard_http_lookalike.py").write_text('"""Registers nothing."""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as raised:
        get_plugin_manager(disabled=[])
    assert str(raised.value) == (
        "the installed plugin 'http' (distribution hookyard-http) has the name of a built-in "
        "plugin; rename its entry point in the hookyard group"
    )


# --- allow list, tracing, every hook through pluggy ------------------------------------


def test_hookyard_load_plugins_loads_only_the_named_installed_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOKYARD_LOAD_PLUGINS", "")
    registry = collect_registry(get_plugin_manager())
    assert "livechat" not in registry.vendors
    assert {"generic"} <= set(registry.vendors) and {"http", "file", "log"} <= set(registry.sinks)
    monkeypatch.setenv("HOOKYARD_LOAD_PLUGINS", "livechat")
    assert "livechat" in collect_registry(get_plugin_manager()).vendors


def test_the_allow_list_and_the_block_list_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKYARD_LOAD_PLUGINS", "livechat")
    monkeypatch.setenv("HOOKYARD_DISABLE_PLUGINS", "livechat,http")
    registry = collect_registry(get_plugin_manager())
    assert "livechat" not in registry.vendors
    assert "http" not in registry.sinks


def test_an_allow_list_naming_a_missing_plugin_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOKYARD_LOAD_PLUGINS", "livechat,salesforce")
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(
        "hookyard: HOOKYARD_LOAD_PLUGINS names 'salesforce', which is not installed "
        "(installed plugins: "
    )
    assert "livechat" in line.rpartition("installed plugins: ")[2]


def test_hookyard_trace_plugins_logs_every_hook_call(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOOKYARD_TRACE_PLUGINS", "1")
    path = tmp_path / "hookyard.yaml"
    path.write_text("sources: {chats: {vendor: livechat, secret: s}}\n")
    with caplog.at_level("INFO", logger="hookyard.plugins"):
        Host.from_file(path)
    traced = "\n".join(r.getMessage() for r in caplog.records if r.name == "hookyard.plugins")
    for hook in (
        "hookyard_register_vendors",
        "hookyard_register_sinks",
        "hookyard_configure_converter",
    ):
        assert hook in traced


def test_without_the_variable_nothing_is_traced(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("HOOKYARD_TRACE_PLUGINS", raising=False)
    with caplog.at_level("DEBUG", logger="hookyard.plugins"):
        collect_registry(get_plugin_manager(disabled=[]))
    assert [r for r in caplog.records if r.name == "hookyard.plugins"] == []


class _Wrapper:
    """A hook wrapper, as a plugin might use to see or time every registration."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl(wrapper=True)
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> Any:
        self.seen.append("sinks")
        return (yield)

    @hookimpl(wrapper=True)
    def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> Any:
        self.seen.append("vendors")
        return (yield)


def test_registration_hooks_run_through_pluggys_wrappers() -> None:
    pm = get_plugin_manager(disabled=[])
    wrapper = _Wrapper()
    pm.register(wrapper, name="wrapper")
    validate(pm)
    registry = collect_registry(pm)
    assert "livechat" in registry.vendors and "http" in registry.sinks
    # one call per registering plugin, each seen by the wrapper
    assert wrapper.seen.count("vendors") == len(
        {v for k, v in registry.owners.items() if k.startswith("vendor:")}
    )
    assert wrapper.seen.count("sinks") == len(
        {v for k, v in registry.owners.items() if k.startswith("sink:")}
    )


@pytest.mark.parametrize("value", ["1", "0"])
def test_the_trace_shows_in_commands_that_log_nothing_else(value: str, tmp_path: Path) -> None:
    hookyard = Path(sys.executable).parent / "hookyard"
    env = {**os.environ, "HOOKYARD_TRACE_PLUGINS": value}
    done = subprocess.run(
        [str(hookyard), "plugins"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    traced = "hookyard_register_sinks [hook]" in done.stderr
    assert traced is (value == "1")
