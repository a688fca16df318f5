"""Internal: the configuration file, YAML in and attrs out, every error with its place.

Plugins use only ``hookyard.Seconds`` and ``hookyard.FilePath`` from here (re-exported by
:mod:`hookyard`).
"""

from hookyard.config.converter import make_converter
from hookyard.config.located import Problems
from hookyard.config.model import (
    DEFAULT_DATABASE,
    MIB,
    Config,
    ConfigError,
    ConfigUnreadable,
    FilePath,
    RetentionConfig,
    RetryPolicy,
    RouteConfig,
    Seconds,
    SentryConfig,
    SinkConfig,
    SourceConfig,
    WorkersConfig,
)
from hookyard.config.reading import load_config, parse_config, read_config, structure_config

__all__ = [
    "DEFAULT_DATABASE",
    "MIB",
    "Config",
    "ConfigError",
    "ConfigUnreadable",
    "FilePath",
    "Problems",
    "RetentionConfig",
    "RetryPolicy",
    "RouteConfig",
    "Seconds",
    "SentryConfig",
    "SinkConfig",
    "SourceConfig",
    "WorkersConfig",
    "load_config",
    "make_converter",
    "parse_config",
    "read_config",
    "structure_config",
]
