"""The package layout holds: no import cycles, plugins see only the public API.

Read from the source with ``ast`` (nothing is imported), so a new module is covered the
moment it exists. Imports under ``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
CORE = ROOT / "core" / "src"
#: What a plugin may import from hookyard (docs/plugins.md).
PUBLIC = frozenset(
    {"hookyard", "hookyard.signing", "hookyard.testing", "hookyard.testing.strategies"}
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(CORE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) of every import that runs, at any depth."""
    found: list[tuple[int, str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _core_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in (CORE / "hookyard").rglob("*.py")}


def _graph() -> dict[str, set[str]]:
    modules = _core_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _line, target, names in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if target not in modules:
                continue
            submodules = {f"{target}.{n}" for n in names} & modules.keys()
            graph[name] |= submodules or {target}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_core_has_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_core_packages_have_no_import_cycle() -> None:
    """One idea per package: the packages depend on each other in one direction only."""
    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        own = _package(module)
        edges = packages.setdefault(own, set())
        edges |= {_package(t) for t in targets if _package(t) != own}
        for target in targets:
            packages.setdefault(_package(target), set())
    public_root = {"hookyard"}  # the re-exporting __init__ is the API, not an idea
    assert [c for c in _cycles(packages) if not public_root & set(c)] == []


def _plugin_files() -> list[Path]:
    roots = [ROOT / "plugins", ROOT / "examples"]
    files = [p for root in roots for p in root.rglob("*.py")]
    return sorted(p for p in files if ".venv" not in p.parts and "build" not in p.parts)


def test_there_are_plugin_files_to_check() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _plugin_files()}
    assert "plugins/livechat/src/hookyard_livechat/__init__.py" in names
    assert "examples/custom-sink/src/hookyard_example_sink/__init__.py" in names


@pytest.mark.parametrize("path", _plugin_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_plugins_and_examples_import_only_the_public_api(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"line {line}: {module}"
        for line, module, _names in _imports(tree)
        if (module == "hookyard" or module.startswith("hookyard.")) and module not in PUBLIC
    ]
    assert private == [], "import these from hookyard, hookyard.signing or hookyard.testing"


def _top_level() -> list[str]:
    names = []
    for path in sorted((CORE / "hookyard").iterdir()):
        if path.suffix == ".py" and path.name != "__init__.py":
            names.append(f"hookyard.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").exists():
            names.append(f"hookyard.{path.name}")
    return names


@pytest.mark.parametrize("module", [m for m in _top_level() if m not in PUBLIC])
def test_every_other_module_says_it_is_internal_or_re_exported(module: str) -> None:
    modules = _core_modules()
    docstring = ast.get_docstring(ast.parse(modules[module].read_text(encoding="utf-8"))) or ""
    assert docstring.startswith("Internal") or "Public through :mod:`hookyard`" in docstring


def test_the_public_modules_say_so() -> None:
    modules = _core_modules()
    for module in ("hookyard.signing", "hookyard.testing"):
        docstring = ast.get_docstring(ast.parse(modules[module].read_text(encoding="utf-8")))
        assert (docstring or "").startswith("Public")


def test_sqlalchemy_stays_inside_the_store() -> None:
    """The CLI and the host see the store's own errors and URLs, never SQLAlchemy's."""
    outside = []
    for name, path in _core_modules().items():
        if name == "hookyard.store" or name.startswith("hookyard.store."):
            continue
        for line, module, _names in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module.split(".")[0] in ("sqlalchemy", "alembic", "aiosqlite", "asyncpg"):
                outside.append(f"{name} line {line}: {module}")
    assert outside == []
