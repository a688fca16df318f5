"""The file sink: one durable JSON line per delivery."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import TYPE_CHECKING, Any

import pytest

from hookyard.builtin import file as file_plugin
from hookyard.builtin.file import FileSinkConfig
from hookyard.config.converter import make_converter
from hookyard.plugins import collect_registry, get_plugin_manager
from hookyard.sinks import DeliveryFailed, Sink, SinkSpec
from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from pathlib import Path

    from conftest import MakeRequest


def _registered() -> SinkSpec:
    specs: list[SinkSpec] = []
    file_plugin.hookyard_register_sinks(register=specs.append)
    assert len(specs) == 1
    return specs[0]


@pytest.fixture
async def open_sink() -> AsyncIterator[Callable[[Path], Sink]]:
    spec = _registered()
    opened: list[Sink] = []

    def open_(path: Path) -> Sink:
        sink = spec.open(make_converter().structure({"path": str(path)}, spec.config_type))
        opened.append(sink)
        return sink

    yield open_
    for sink in opened:
        await sink.aclose()


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return text.split("\n")[:-1]


def test_registered_through_the_plugin_manager() -> None:
    spec = collect_registry(get_plugin_manager(disabled=())).sinks["file"]
    assert spec.config_type is FileSinkConfig
    assert spec.actions == ("append",)
    assert spec.params == {"append": frozenset({"line"})}


def test_path_is_required_and_not_blank() -> None:
    with pytest.raises(ValueError, match="path must name a file"):
        FileSinkConfig(" ")


async def test_two_deliveries_make_two_json_lines(
    tmp_path: Path, open_sink: Callable[[Path], Sink], make_request: MakeRequest
) -> None:
    path = tmp_path / "events.jsonl"
    sink = open_sink(path)
    first = make_request()
    second_event = {**first.event, "id": "evt-0002", "type": "chat.closed"}
    second = make_request(event=second_event)
    await sink.deliver(first)
    result = await sink.deliver(second)
    assert result.response is not None and result.response.startswith("appended ")
    lines = _lines(path)
    assert [json.loads(line) for line in lines] == [first.event, second_event]
    assert "Zoë Ångström" in lines[0]


@pytest.mark.parametrize(
    ("line", "written"),
    [
        ({"chat": "chat-42", "n": 1}, '{"chat":"chat-42","n":1}'),
        ("chat chat-42 started", "chat chat-42 started"),
        ("already ends in a newline\n", "already ends in a newline"),
    ],
)
async def test_route_line(
    tmp_path: Path,
    open_sink: Callable[[Path], Sink],
    make_request: MakeRequest,
    line: Any,
    written: str,
) -> None:
    path = tmp_path / "out.log"
    await open_sink(path).deliver(make_request(action="append", params={"line": line}))
    assert path.read_text(encoding="utf-8") == written + "\n"


async def test_creates_parent_folders_and_appends_to_existing_content(
    tmp_path: Path, open_sink: Callable[[Path], Sink], make_request: MakeRequest
) -> None:
    path = tmp_path / "a" / "b" / "events.jsonl"
    sink = open_sink(path)
    await sink.deliver(make_request())
    path.write_text(path.read_text(encoding="utf-8") + "kept\n", encoding="utf-8")
    await sink.deliver(make_request())
    lines = _lines(path)
    assert len(lines) == 3
    assert lines[1] == "kept"


async def test_concurrent_deliveries_make_intact_lines(
    tmp_path: Path, open_sink: Callable[[Path], Sink], make_request: MakeRequest
) -> None:
    path = tmp_path / "events.jsonl"
    sink = open_sink(path)
    big = "x" * 20_000  # bigger than one buffer, so a torn write would show
    requests = [
        make_request(delivery_id=i, event={"id": f"evt-{i}", "pad": big}) for i in range(50)
    ]
    await asyncio.gather(*(sink.deliver(request) for request in requests))
    lines = _lines(path)
    assert len(lines) == 50
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(f"evt-{i}" for i in range(50))


async def test_line_is_fsynced_off_the_event_loop_before_deliver_returns(
    tmp_path: Path,
    open_sink: Callable[[Path], Sink],
    make_request: MakeRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "events.jsonl"
    synced: list[tuple[bytes, bool]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.path.samestat(os.fstat(fd), os.stat(path)):  # the file, not its folder
            on_loop_thread = threading.current_thread() is threading.main_thread()
            synced.append((path.read_bytes(), on_loop_thread))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    request = make_request()
    await open_sink(path).deliver(request)
    assert synced, "the file was never fsynced"
    [(content, on_loop_thread)] = synced
    assert json.loads(content) == request.event
    assert on_loop_thread is False


async def test_os_error_fails_the_delivery_with_a_short_reason(
    tmp_path: Path, open_sink: Callable[[Path], Sink], make_request: MakeRequest
) -> None:
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    sink = open_sink(tmp_path / "not-a-folder" / "events.jsonl")
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    reason = caught.value.reason
    assert reason.startswith(f"cannot append to {tmp_path / 'not-a-folder' / 'events.jsonl'}: ")
    assert "Traceback" not in reason and "\n" not in reason
    assert caught.value.status_code is None


async def test_path_that_is_a_folder_fails(
    tmp_path: Path, open_sink: Callable[[Path], Sink], make_request: MakeRequest
) -> None:
    with pytest.raises(ConfigError) as caught:  # known when the config is loaded: check says so
        load_config({"sinks": {"j": {"plugin": "file", "path": str(tmp_path)}}}, tmp_path)
    [problem] = caught.value.problems
    assert problem.startswith(f"sinks.j.path (line 4): {tmp_path} is a folder; name a file")
    sink = open_sink(tmp_path / "later")
    (tmp_path / "later").mkdir()  # a folder made after the config was loaded
    with pytest.raises(DeliveryFailed, match="cannot append to"):
        await sink.deliver(make_request())
