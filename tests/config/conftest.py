"""Configuration text in, :class:`Config` or the user's list of problems out."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from hookyard.config import Config, ConfigError, parse_config
from hookyard.config.converter import make_converter
from hookyard.plugins import Registry, collect_registry, configure_converter, get_plugin_manager

if TYPE_CHECKING:
    from pathlib import Path

Load = Callable[..., Config]
Problems = Callable[..., list[str]]


@pytest.fixture(scope="session")
def registry() -> Registry:
    """Every installed plugin (none blocked, whatever the environment says)."""
    return collect_registry(get_plugin_manager(disabled=[]))


@pytest.fixture
def load(registry: Registry) -> Load:
    """Parse YAML text, given in parts dedented one by one, as ``hookyard check`` does."""

    def load(*parts: str, path: Path | None = None) -> Config:
        converter = make_converter()
        configure_converter(get_plugin_manager(disabled=[]), converter)
        text = "".join(textwrap.dedent(part) for part in parts)
        return parse_config(text, converter, registry, path)

    return load


@pytest.fixture
def problems(load: Load) -> Problems:
    """The problems a user is shown for YAML text (parts as for ``load``) that is rejected."""

    def problems(*parts: str) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            load(*parts)
        assert str(caught.value) == "\n".join(caught.value.problems)
        return caught.value.problems

    return problems
