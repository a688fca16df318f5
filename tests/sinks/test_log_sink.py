"""The log sink: one JSON line per delivery through logging."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import pytest

from hookyard.builtin import log as log_plugin
from hookyard.builtin.log import LogSinkConfig
from hookyard.config.converter import make_converter
from hookyard.plugins import collect_registry, get_plugin_manager

if TYPE_CHECKING:
    from conftest import MakeRequest
    from hookyard.sinks import SinkSpec


def _registered() -> SinkSpec:
    specs: list[SinkSpec] = []
    log_plugin.hookyard_register_sinks(register=specs.append)
    assert len(specs) == 1
    return specs[0]


def test_registered_through_the_plugin_manager() -> None:
    spec = collect_registry(get_plugin_manager(disabled=())).sinks["log"]
    assert spec.config_type is LogSinkConfig
    assert spec.actions == ("write",)
    assert spec.params == {"write": frozenset({"message"})}


def test_config_defaults_and_levels() -> None:
    assert LogSinkConfig() == LogSinkConfig("info", "hookyard.sink.log")
    assert make_converter().structure({"level": "WARNING"}, LogSinkConfig).level == "warning"
    with pytest.raises(ValueError, match="level must be one of debug, info, warning, error"):
        LogSinkConfig(level="verbose")


async def test_writes_one_json_line_with_the_fields(
    caplog: pytest.LogCaptureFixture, make_request: MakeRequest
) -> None:
    spec = _registered()
    sink = spec.open(LogSinkConfig())
    caplog.set_level(logging.DEBUG)
    request = make_request(action="write", params={"message": "New chat from Zoë"})
    result = await sink.deliver(request)
    await sink.aclose()
    [record] = caplog.records
    assert (record.name, record.levelno) == ("hookyard.sink.log", logging.INFO)
    assert "\n" not in record.getMessage()
    assert json.loads(record.getMessage()) == {
        "delivery_id": 17,
        "route": "route-a",
        "event_id": "evt-0001",
        "type": "chat.started",
        "source": "livechat-main",
        "message": "New chat from Zoë",
    }
    assert result.response == "logged to hookyard.sink.log"


async def test_level_logger_and_missing_message(
    caplog: pytest.LogCaptureFixture, make_request: MakeRequest
) -> None:
    sink = _registered().open(LogSinkConfig(level="error", logger="ops.audit"))
    caplog.set_level(logging.DEBUG)
    await sink.deliver(make_request(action="write"))
    [record] = caplog.records
    assert (record.name, record.levelno) == ("ops.audit", logging.ERROR)
    assert json.loads(record.getMessage())["message"] is None


async def test_nothing_below_the_logger_level(
    caplog: pytest.LogCaptureFixture, make_request: MakeRequest
) -> None:
    sink = _registered().open(LogSinkConfig(level="debug"))
    caplog.set_level(logging.INFO, logger="hookyard.sink.log")
    await sink.deliver(make_request(action="write"))
    assert caplog.records == []
