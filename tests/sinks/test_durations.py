"""Duration options of plugins (``hookyard.config.Seconds``) take ``2s``, ``250ms``, numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from attrs import frozen

from hookyard.config import Config, ConfigError, Seconds, parse_config
from hookyard.config.converter import make_converter
from hookyard.plugins import collect_registry, configure_converter, get_plugin_manager
from hookyard.sinks import DeliveryFailed
from hookyard.testing import Reply

if TYPE_CHECKING:
    from conftest import MakeRequest
    from hookyard.testing import RecordingServer


def _parse(text: str) -> Config:
    """Structure YAML text with every installed plugin, as ``hookyard check`` does."""
    pm = get_plugin_manager(disabled=[])
    converter = make_converter()
    configure_converter(pm, converter)
    return parse_config(text, converter, collect_registry(pm))


def _http_sink(timeout: str, url: str = "http://127.0.0.1:9/in") -> str:
    return f"sinks:\n  ops:\n    plugin: http\n    url: {url}\n    timeout: {timeout}\n"


@pytest.mark.parametrize(
    ("written", "seconds"), [("2s", 2.0), ("250ms", 0.25), ("1m", 60.0), ("3", 3.0), ("1.5", 1.5)]
)
def test_http_timeout_takes_a_duration(written: str, seconds: float) -> None:
    config = _parse(_http_sink(written))
    assert config.sinks["ops"].options.timeout == seconds


def test_generic_tolerance_takes_a_duration() -> None:
    config = _parse("sources:\n  peer: {vendor: generic, secret: c2VjcmV0, tolerance: 5m}\n")
    assert config.sources["peer"].options.tolerance == 300.0


def test_a_wrong_duration_names_its_place() -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(_http_sink("2 weeks"))
    assert caught.value.problems == [
        "sinks.ops.timeout (line 5): expected a duration such as 10s, 5m or 1h, got '2 weeks'"
    ]


def test_any_plugin_config_class_can_take_a_duration() -> None:
    @frozen
    class PollConfig:
        every: Seconds = Seconds(60.0)

    converter = make_converter()
    assert converter.structure({"every": "250ms"}, PollConfig) == PollConfig(Seconds(0.25))
    assert converter.structure({}, PollConfig).every == 60.0


async def test_a_timeout_written_in_milliseconds_bounds_the_attempt(
    recording_server: RecordingServer, make_request: MakeRequest
) -> None:
    recording_server.script(Reply(200, delay=3))
    pm = get_plugin_manager(disabled=[])
    config = _parse(_http_sink("300ms", recording_server.url))
    sink = collect_registry(pm).sinks["http"].open(config.sinks["ops"].options)
    try:
        with pytest.raises(DeliveryFailed, match=r"^timed out after 0\.3s$"):
            await sink.deliver(make_request())
    finally:
        await sink.aclose()
