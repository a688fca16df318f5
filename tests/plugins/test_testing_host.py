"""``hookyard.testing``'s ``hookyard_host``: a plugin author's whole loop, in-process, quickly.

Only the public API is used, as in a plugin's own test suite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from attrs import frozen

import hookyard_livechat
from hookyard import DeliveryFailed, DeliveryResult, SinkSpec, hookimpl
from hookyard.testing import ConfigError, assert_vendor_plugin, installed_vendor, load_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hookyard import DeliveryRequest, Sink
    from hookyard.testing import HostFactory


@frozen
class NotebookConfig:
    prefix: str = ""
    fail_first: int = 0
    status_code: int = 503


class NotebookPlugin:
    """A sink plugin defined in the test: it writes what it gets into ``self.pages``."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, dict[str, Any], int]] = []
        self.calls = 0

    @hookimpl
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
        register(SinkSpec(name="notebook", config_type=NotebookConfig, open=self.open))

    def open(self, config: NotebookConfig) -> Sink:
        return _Notebook(self, config)


class _Notebook:
    def __init__(self, plugin: NotebookPlugin, config: NotebookConfig) -> None:
        self.plugin = plugin
        self.config = config

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        self.plugin.calls += 1
        if self.plugin.calls <= self.config.fail_first:
            raise DeliveryFailed("notebook is full", status_code=self.config.status_code)
        text = self.config.prefix + str(request.params.get("text"))
        self.plugin.pages.append((text, dict(request.event), request.attempt))
        return DeliveryResult(response="written")

    async def aclose(self) -> None:
        pass


def config(**notebook: Any) -> dict[str, Any]:
    return {
        "sources": {"upstream": {"vendor": "generic", "auth": "none"}},
        "sinks": {"notes": {"plugin": "notebook", **notebook, "retry": {"initial_delay": "20ms"}}},
        "routes": [
            {"to": "notes", "match": {"type": "chat.started"}, "with": {"text": "{{ event.id }}"}}
        ],
    }


async def test_an_event_reaches_an_in_process_sink(hookyard_host: HostFactory) -> None:
    plugin = NotebookPlugin()
    async with hookyard_host(config(prefix="new: "), plugins={"notebook": plugin}) as host:
        answered = await host.post("upstream", {"id": "e1", "type": "chat.started"})
        assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0})
        [delivery] = await host.deliver()
    assert (delivery.status, delivery.sink, delivery.last_response) == (
        "delivered",
        "notes",
        "written",
    )
    [(text, event, attempt)] = plugin.pages
    assert (text, event["id"], event["source"], attempt) == ("new: e1", "e1", "upstream", 1)


async def test_retries_and_dead_deliveries_take_milliseconds(hookyard_host: HostFactory) -> None:
    plugin = NotebookPlugin()
    cfg = config(fail_first=2)
    cfg["sinks"]["notes"]["retry"]["max_attempts"] = 3
    async with hookyard_host(cfg, plugins={"notebook": plugin}) as host:
        await host.simulate("upstream", "chat.started")
        [delivery] = await host.deliver()
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "delivered"
    assert [(a.number, a.outcome, a.status_code) for a in attempts] == [
        (1, "retry", 503),
        (2, "retry", 503),
        (3, "delivered", None),
    ]


async def test_a_permanent_failure_is_dead_at_once(hookyard_host: HostFactory) -> None:
    plugin = NotebookPlugin()
    async with hookyard_host(
        config(fail_first=5, status_code=400), plugins={"notebook": plugin}
    ) as host:
        await host.post("upstream", {"id": "e2", "type": "chat.started"})
        [delivery] = await host.deliver()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("dead", 1, 400)
    assert delivery.last_error == "notebook is full"


def test_load_config_reports_the_plugins_option_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(config(fail_first="often"), tmp_path, plugins={"notebook": NotebookPlugin()})
    assert any("sinks.notes.fail_first" in problem for problem in caught.value.problems)


def test_without_the_plugin_the_sink_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'notebook' is not installed"):
        load_config(config(), tmp_path)


def test_installed_vendor_finds_a_vendor_through_its_entry_point_only(tmp_path: Path) -> None:
    found = installed_vendor("livechat", tmp_path)
    assert (found.owner, found.spec.name) == ("livechat", "livechat")
    with pytest.raises(AssertionError, match="0 'hookyard' entry points are named 'generic'"):
        installed_vendor("generic", tmp_path)  # built in: no entry point


def test_assert_vendor_plugin_names_what_differs(tmp_path: Path) -> None:
    found = assert_vendor_plugin(
        "livechat",
        tmp_path,
        module=hookyard_livechat,
        distribution="hookyard-livechat",
        config_type=hookyard_livechat.LiveChatConfig,
        auth_fields=("secret",),
    )
    assert found.spec.name == "livechat"
    with pytest.raises(AssertionError, match="declared by 'hookyard-livechat', not 'hookyard-x'"):
        assert_vendor_plugin(
            "livechat",
            tmp_path,
            module=hookyard_livechat,
            distribution="hookyard-x",
            config_type=hookyard_livechat.LiveChatConfig,
            auth_fields=("secret",),
        )


async def test_deliver_skips_long_waits_but_keeps_the_retry_policy(
    hookyard_host: HostFactory, recording_server: Any
) -> None:
    from hookyard.testing import Reply

    recording_server.script(
        Reply(429, b"slow down", {"retry-after": "600"}),  # pauses the sink ten minutes
        Reply(503, b"busy"),  # retried after the route's backoff of an hour
    )
    config = {
        "sources": {"upstream": {"vendor": "generic", "auth": "none"}},
        "sinks": {"hook": {"plugin": "http", "url": recording_server.url}},
        "routes": [{"to": "hook", "retry": {"initial_delay": "1h", "max_attempts": 3}}],
    }
    async with hookyard_host(config) as host:
        assert (await host.post("upstream", {"id": "e1", "type": "chat.started"})).status == 200
        [delivery] = await host.deliver(timeout=5)
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "delivered"
    assert [(a.outcome, a.status_code) for a in attempts] == [
        ("retry", 429),
        ("retry", 503),
        ("delivered", None),
    ]


async def test_an_in_process_plugin_replaces_the_installed_one_of_its_name(
    hookyard_host: HostFactory,
) -> None:
    plugin = NotebookPlugin()
    async with hookyard_host(config(), plugins={"livechat": plugin}) as host:
        assert "livechat" not in host.registry.vendors  # the installed livechat gave way
        assert (await host.post("upstream", {"id": "e1", "type": "chat.started"})).status == 200
        await host.deliver()
    assert [text for text, _, _ in plugin.pages] == ["e1"]
