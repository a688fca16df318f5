"""Internal: ``hookyard new sink NAME`` — a complete sink plugin package to start from.

The templates under ``sink/`` are written out with ``string.Template`` (``$name``
placeholders; a literal dollar is ``$$``), so the Jinja templates in the README's example
route stay as they are.
"""

from __future__ import annotations

import re
from importlib import resources
from string import Template
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["SinkNames", "write_sink_package"]

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

#: Template file -> where it goes in the new package ($package is replaced).
_FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "plugin.py.tmpl": "src/$package/__init__.py",
    "py.typed.tmpl": "src/$package/py.typed",
    "test_sink.py.tmpl": "tests/test_${package}.py",
}


class SinkNames:
    """The names one sink plugin goes by."""

    def __init__(self, name: str, taken: Iterable[str] = ()) -> None:
        if not _NAME.match(name) or len(name) > 40:
            raise ValueError(
                f"{name!r} is not a sink name: lower-case letters and digits, words joined by "
                "- or _, starting with a letter, at most 40 characters (e.g. acme-crm)"
            )
        self.sink = name.replace("-", "_")
        if self.sink in taken:
            raise ValueError(
                f"{self.sink!r} is taken: a built-in or installed plugin has that name "
                "(hookyard plugins lists them); choose another"
            )
        self.package = f"hookyard_{self.sink}"
        self.distribution = f"hookyard-{name.replace('_', '-')}"
        self.title = "".join(word.capitalize() for word in re.split(r"[-_]", name))

    def substitutions(self) -> dict[str, str]:
        return {
            "sink": self.sink,
            "package": self.package,
            "distribution": self.distribution,
            "Title": self.title,
            "ENV": self.sink.upper(),
        }


def write_sink_package(names: SinkNames, folder: Path) -> list[Path]:
    """Write the package into ``folder`` (which must not exist or be empty); the files
    written, in order."""
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} exists and is not empty")
    values = names.substitutions()
    templates = resources.files(__package__).joinpath("sink")
    written = []
    for template, target in _FILES.items():
        text = Template(templates.joinpath(template).read_text(encoding="utf-8"))
        path = folder / Template(target).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.substitute(values), encoding="utf-8")
        written.append(path)
    return written
