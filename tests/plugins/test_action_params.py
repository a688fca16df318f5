"""A sink action's parameter class: ``hookyard check`` judges a route's ``with`` by it, templates
of fields that are not text render to native values, and the sink gets an instance.

Only the public API is used, as in a plugin's own test suite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pytest
from attrs import field, frozen

from hookyard import DeliveryResult, SinkSpec, hookimpl
from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hookyard import DeliveryRequest, Sink
    from hookyard.testing import HostFactory


@frozen
class BoardConfig:
    strict: bool = True


@frozen
class PinParams:
    channel: str
    text: str = ""
    blocks: list[dict[str, Any]] = []
    priority: Literal["low", "normal", "high"] = "normal"
    count: int = 1
    urgent: bool = False


@frozen
class LoosePinParams:
    text: str = ""


class BoardPlugin:
    """A sink whose ``pin`` action takes :class:`PinParams` (or, not strict, only ``text``)."""

    def __init__(self) -> None:
        self.requests: list[DeliveryRequest] = []

    @hookimpl
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
        register(
            SinkSpec(
                name="board",
                config_type=BoardConfig,
                open=self.open,
                actions=("pin",),
                params={"pin": lambda config: PinParams if config.strict else LoosePinParams},
            )
        )

    def open(self, _config: BoardConfig) -> Sink:
        return _Board(self)


class _Board:
    def __init__(self, plugin: BoardPlugin) -> None:
        self.plugin = plugin

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        self.plugin.requests.append(request)
        return DeliveryResult(response="pinned")

    async def aclose(self) -> None:
        pass


def config(with_: dict[str, Any], strict: bool = True) -> dict[str, Any]:
    return {
        "sources": {"upstream": {"vendor": "generic", "auth": "none"}},
        "sinks": {"wall": {"plugin": "board", "strict": strict}},
        "routes": [{"name": "pins", "to": "wall", "with": with_}],
    }


def problems(tmp_path: Path, with_: dict[str, Any], strict: bool = True) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(config(with_, strict), tmp_path, plugins={"board": BoardPlugin()})
    return str(raised.value)


def test_a_missing_required_parameter_is_named_with_its_route(tmp_path: Path) -> None:
    message = problems(tmp_path, {"text": "hi"})
    assert "routes[0].with" in message
    assert "sink 'wall' action 'pin' needs 'channel'" in message


def test_an_unknown_parameter_is_named_at_its_key(tmp_path: Path) -> None:
    message = problems(tmp_path, {"channel": "C1", "colour": "red"})
    assert "routes[0].with.colour" in message
    assert "takes no 'colour'" in message


def test_a_value_that_is_not_one_of_the_choices_is_named(tmp_path: Path) -> None:
    message = problems(tmp_path, {"channel": "C1", "priority": "critical"})
    assert "routes[0].with.priority" in message
    assert "critical" in message


def test_a_literal_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    message = problems(tmp_path, {"channel": "C1", "count": "many", "blocks": "a block"})
    assert "routes[0].with.count" in message
    assert "routes[0].with.blocks" in message


def test_what_an_action_takes_may_depend_on_the_sink_options(tmp_path: Path) -> None:
    assert "needs 'channel'" not in problems(tmp_path, {"colour": "red"}, strict=False)
    load_config(config({"text": "hi"}, strict=False), tmp_path, plugins={"board": BoardPlugin()})


async def test_templates_of_fields_that_are_not_text_keep_their_types(
    hookyard_host: HostFactory,
) -> None:
    plugin = BoardPlugin()
    with_ = {
        "channel": "{{ event.data.channel }}",
        "text": "{{ event.data.count }}",
        "blocks": "{{ event.data.blocks }}",
        "count": "{{ event.data.count + 1 }}",
        "urgent": "{{ event.data.count > 2 }}",
        "priority": "{{ 'high' if event.data.count > 2 else 'low' }}",
    }
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    async with hookyard_host(config(with_), plugins={"board": plugin}) as host:
        data = {"channel": "C1", "count": 3, "blocks": blocks}
        answered = await host.post("upstream", {"id": "e1", "type": "chat.started", "data": data})
        assert answered.status == 200
        [delivery] = await host.deliver()
    assert delivery.status == "delivered"
    [request] = plugin.requests
    assert request.params == PinParams(
        channel="C1", text="3", blocks=blocks, priority="high", count=4, urgent=True
    )


async def test_a_template_that_renders_the_wrong_type_makes_a_dead_delivery(
    hookyard_host: HostFactory,
) -> None:
    plugin = BoardPlugin()
    with_ = {"channel": "C1", "priority": "{{ event.data.level }}", "count": "{{ range(3) }}"}
    async with hookyard_host(config(with_), plugins={"board": plugin}) as host:
        answered = await host.post(
            "upstream", {"id": "e1", "type": "chat.started", "data": {"level": "severe"}}
        )
        assert answered.status == 200  # the event is kept; its delivery is dead
        [delivery] = await host.deliveries()
    assert delivery.status == "dead"
    assert "routes[0].with.count: rendered a range, not JSON" in (delivery.last_error or "")
    assert plugin.requests == []


async def test_a_rendered_value_outside_the_choices_is_named_in_the_dead_delivery(
    hookyard_host: HostFactory,
) -> None:
    plugin = BoardPlugin()
    with_ = {"channel": "C1", "priority": "{{ event.data.level }}"}
    async with hookyard_host(config(with_), plugins={"board": plugin}) as host:
        data = {"level": "severe"}
        assert (
            await host.post("upstream", {"id": "e1", "type": "chat.started", "data": data})
        ).status == 200
        [delivery] = await host.deliveries()
    assert delivery.status == "dead"
    assert (delivery.last_error or "").startswith("routes[0].with.priority: ")
    assert "severe" in (delivery.last_error or "")


async def test_a_constant_template_keeps_its_type(hookyard_host: HostFactory) -> None:
    plugin = BoardPlugin()
    with_ = {"channel": "C1", "urgent": "{{ false }}", "count": "{{ 7 }}", "blocks": "{{ [] }}"}
    async with hookyard_host(config(with_), plugins={"board": plugin}) as host:
        assert (await host.post("upstream", {"id": "e1", "type": "chat.started"})).status == 200
        [delivery] = await host.deliver()
    assert delivery.status == "delivered", delivery.last_error
    [request] = plugin.requests
    assert (request.params.urgent, request.params.count, request.params.blocks) == (False, 7, [])


@frozen
class CardParams:
    channel: str
    blocks: list[dict[str, Any]] = []
    tags: list[str] = []
    count: int = 1


class CardPlugin(BoardPlugin):
    def __init__(self, params: Any = CardParams) -> None:
        super().__init__()
        self.params = params

    @hookimpl
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
        spec = SinkSpec("board", BoardConfig, self.open, ("pin",), {"pin": self.params})
        register(spec)


async def _one_delivery(
    hookyard_host: HostFactory, with_: dict[str, Any], data: dict[str, Any]
) -> tuple[Any, CardPlugin]:
    plugin = CardPlugin()
    async with hookyard_host(config(with_), plugins={"board": plugin}) as host:
        answered = await host.post("upstream", {"id": "e1", "type": "chat.started", "data": data})
        assert answered.status == 200, answered.body
        [delivery] = await host.deliver()
    return delivery, plugin


@pytest.mark.parametrize("text", ["42", "null", '["a"]', '{"type": "image", "url": "x"}', "1e999"])
async def test_a_senders_text_inside_a_structure_stays_text(
    hookyard_host: HostFactory, text: str
) -> None:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "{{ event.data.said }}"}}
    delivery, plugin = await _one_delivery(
        hookyard_host, {"channel": "C1", "blocks": [block]}, {"said": text}
    )
    assert delivery.status == "delivered", delivery.last_error
    assert plugin.requests[0].params.blocks[0]["text"]["text"] == text


async def test_json_text_becomes_a_structure_only_when_asked(hookyard_host: HostFactory) -> None:
    blocks = '[{"type": "divider"}]'
    with_ = {
        "channel": "C1",
        "blocks": "{{ event.data.blocks | fromjson }}",
        "tags": "{{ event.data.tags }}",
    }
    delivery, plugin = await _one_delivery(
        hookyard_host, with_, {"blocks": blocks, "tags": ["a", "b"]}
    )
    assert delivery.status == "delivered", delivery.last_error
    assert plugin.requests[0].params.blocks == [{"type": "divider"}]
    assert plugin.requests[0].params.tags == ["a", "b"]


async def test_a_number_too_large_to_keep_is_a_dead_delivery_not_a_500(
    hookyard_host: HostFactory,
) -> None:
    delivery, plugin = await _one_delivery(
        hookyard_host, {"channel": "C1", "count": "{{ 3 ** 20000 }}"}, {}
    )
    assert delivery.status == "dead"
    assert "routes[0].with.count: rendered a whole number of 1,000+ digits" in delivery.last_error
    assert plugin.requests == []


def test_text_where_a_list_belongs_is_named_not_split_into_letters(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"routes\[0\]\.with\.tags.*expected a list"):
        load_config(
            config({"channel": "C1", "tags": "urgent"}), tmp_path, plugins={"board": CardPlugin()}
        )


def test_a_yaml_date_where_json_belongs_is_named(tmp_path: Path) -> None:
    yaml = (
        "sources: {upstream: {vendor: generic, auth: none}}\n"
        "sinks: {wall: {plugin: board}}\n"
        "routes:\n  - {to: wall, with: {channel: C1, blocks: 2024-01-01T03:04:00}}\n"
    )
    with pytest.raises(ConfigError, match=r"routes\[0\]\.with\.blocks.*write it in quotes"):
        load_config(yaml, tmp_path, plugins={"board": CardPlugin()})


def _raising(_config: Any) -> Any:
    raise KeyError("oops")


@pytest.mark.parametrize("declared", [_raising, dict, lambda _config: int])
def test_a_plugins_broken_parameter_declaration_is_a_problem_not_a_traceback(
    tmp_path: Path, declared: Any
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(config({"channel": "C1"}), tmp_path, plugins={"board": CardPlugin(declared)})
    assert "routes[0].to" in str(raised.value)
    assert "declares the parameters of action 'pin' wrongly" in str(raised.value)


class _Unreadable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text")


def _refuse(_instance: object, _attribute: object, _value: object) -> None:
    raise _Unreadable


@frozen
class PickyParams:
    channel: str = field(validator=_refuse)


async def test_a_validator_whose_error_cannot_be_read_is_a_dead_delivery(
    hookyard_host: HostFactory,
) -> None:
    plugin = CardPlugin(PickyParams)
    async with hookyard_host(
        config({"channel": "{{ event.id }}"}), plugins={"board": plugin}
    ) as host:
        assert (await host.post("upstream", {"id": "e1", "type": "chat.started"})).status == 200
        [delivery] = await host.deliveries()
    assert delivery.status == "dead"
    assert (delivery.last_error or "").startswith(
        "routes[0].with: the sink's parameter class raised"
    )
