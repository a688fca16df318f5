"""``hookyard_configure_converter``: a plugin teaches config loading about its own types.

Written as a plugin author would write it: only the public API, and the configuration
loaded through ``hookyard.testing`` exactly as ``serve`` and ``check`` load it (so leaving
out the host's call of the hook fails these tests).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from attrs import frozen

from hookyard import SinkSpec, hookimpl
from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from collections.abc import Callable

    import cattrs


@frozen
class Mailbox:
    """The plugin's own type, written ``Name <address>`` in the configuration file."""

    name: str
    address: str


def structure_mailbox(value: Any, _type: type[Mailbox]) -> Mailbox:
    name, bracket, rest = str(value).partition("<")
    if not bracket or not rest.endswith(">") or "@" not in rest:
        raise ValueError(f"expected 'Name <address>', got {value!r}")
    return Mailbox(name.strip(), rest[:-1].strip())


@frozen
class PagerConfig:
    to: Mailbox
    cc: tuple[Mailbox, ...] = ()


class PagerPlugin:
    """A sink plugin whose config class uses :class:`Mailbox`."""

    def __init__(self, *, teaches_converter: bool = True) -> None:
        self.teaches_converter = teaches_converter
        self.converters: list[cattrs.Converter] = []

    @hookimpl
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
        register(SinkSpec(name="pager", config_type=PagerConfig, open=_never, actions=("page",)))

    @hookimpl
    def hookyard_configure_converter(self, converter: cattrs.Converter) -> None:
        self.converters.append(converter)
        if self.teaches_converter:
            converter.register_structure_hook(Mailbox, structure_mailbox)


def _never(_config: Any) -> Any:
    raise AssertionError("not opened in these tests")


def load(plugin: PagerPlugin, text: str) -> Any:
    """The configuration loaded the way ``hookyard serve`` and ``check`` load it."""
    setup = load_config(text, Path(tempfile.gettempdir()), plugins={"pager": plugin})
    assert plugin.converters == [setup.converter]
    return setup.config


CONFIG = """\
sinks:
  oncall:
    plugin: pager
    to: "Ops team <ops@example.com>"
    cc: ["Ada <ada@example.com>", "Bob <bob@example.com>"]
"""


def test_config_structuring_uses_the_plugins_structure_hook() -> None:
    config = load(PagerPlugin(), CONFIG)
    options = config.sinks["oncall"].options
    assert options == PagerConfig(
        to=Mailbox("Ops team", "ops@example.com"),
        cc=(Mailbox("Ada", "ada@example.com"), Mailbox("Bob", "bob@example.com")),
    )


def test_the_plugins_error_message_is_shown_with_its_place() -> None:
    with pytest.raises(ConfigError) as caught:
        load(PagerPlugin(), CONFIG.replace("Bob <bob@example.com>", "bob"))
    assert caught.value.problems == [
        "sinks.oncall.cc[1] (line 5): expected 'Name <address>', got 'bob'"
    ]


def test_without_the_hook_the_same_file_is_rejected() -> None:
    with pytest.raises(ConfigError) as caught:
        load(PagerPlugin(teaches_converter=False), CONFIG)
    assert caught.value.problems == [
        "sinks.oncall.to (line 4): expected a mapping",
        "sinks.oncall.cc[0] (line 5): expected a mapping",
        "sinks.oncall.cc[1] (line 5): expected a mapping",
    ]
