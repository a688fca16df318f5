"""Every hook is documented and tested: this test fails the day one is not.

The rules, checked for every function in :mod:`hookyard.hookspecs` marked as a hook spec:

- documented: it has a docstring, and that docstring has a ``:param name:`` line for every
  parameter (and none for a parameter the hook does not have);
- tested: some test file other than this one mentions the hook by name, under ``tests/`` or
  a first-party plugin's ``plugins/*/tests/``.
"""

from __future__ import annotations

import inspect
import re
import types
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hookyard import hookspecs

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).parents[2]
SPEC_MARK = f"{hookspecs.PROJECT}_spec"


def hook_specs(module: types.ModuleType) -> dict[str, Callable[..., object]]:
    """The hook specs a module defines, by name."""
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isfunction(value) and hasattr(value, SPEC_MARK)
    }


def documentation_problems(name: str, spec: Callable[..., object]) -> list[str]:
    doc = inspect.getdoc(spec)
    if not doc:
        return [f"{name} has no docstring"]
    parameters = list(inspect.signature(spec).parameters)
    documented = re.findall(r"^:param (\w+):[ \t]+\S", doc, re.MULTILINE)
    problems = [f"{name}: :param {p}: is missing" for p in parameters if p not in documented]
    problems += [
        f"{name}: documents {p!r}, which it does not take"
        for p in documented
        if p not in parameters
    ]
    return problems


def candidate_files() -> list[Path]:
    """Every test file a hook's test may be in (this file does not count)."""
    found = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("plugins/*/tests/**/*.py")]
    return sorted(path for path in found if path.resolve() != Path(__file__).resolve())


def untested(names: list[str], files: list[Path]) -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in files]
    return [name for name in names if not any(name in text for text in texts)]


SPECS = hook_specs(hookspecs)


def test_hookspecs_defines_hooks() -> None:
    assert {"hookyard_register_vendors", "hookyard_register_sinks"} <= set(SPECS)
    assert "hookyard_configure_converter" in SPECS


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hook_documents_every_parameter(name: str) -> None:
    assert documentation_problems(name, SPECS[name]) == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hook_is_exercised_by_a_test(name: str) -> None:
    assert untested([name], candidate_files()) == [], f"no test mentions {name}"


# The checks above must be able to fail: run them on a hook module with the usual mistakes.

_fake = types.ModuleType("fake_hookspecs")
exec(  # a throwaway module, as a plugin author would write it
    '''
from hookyard.hookspecs import hookspec

@hookspec
def hookyard_fine(event, sink):
    """Documented.

    :param event: the event.
    :param sink: the sink.
    """

@hookspec
def hookyard_silent(event): ...

@hookspec
def hookyard_half(event, sink, extra):
    """Half documented.

    :param event: the event.
    :param sinks: a typo.
    :param extra:
    """

def not_a_hook(value): ...
''',
    _fake.__dict__,
)


def test_the_checks_catch_undocumented_hooks() -> None:
    fake = hook_specs(_fake)
    assert sorted(fake) == ["hookyard_fine", "hookyard_half", "hookyard_silent"]
    assert documentation_problems("hookyard_fine", fake["hookyard_fine"]) == []
    assert documentation_problems("hookyard_silent", fake["hookyard_silent"]) == [
        "hookyard_silent has no docstring"
    ]
    assert documentation_problems("hookyard_half", fake["hookyard_half"]) == [
        "hookyard_half: :param sink: is missing",
        "hookyard_half: :param extra: is missing",
        "hookyard_half: documents 'sinks', which it does not take",
    ]


def test_the_checks_catch_untested_hooks(tmp_path: Path) -> None:
    mentions = tmp_path / "test_something.py"
    mentions.write_text("pm.hook.hookyard_fine(event=e, sink=s)\n")
    assert untested(["hookyard_fine", "hookyard_silent"], [mentions]) == ["hookyard_silent"]
    assert Path(__file__).resolve() not in [path.resolve() for path in candidate_files()]
