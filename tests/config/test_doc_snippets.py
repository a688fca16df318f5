"""Every ```yaml block of the README and docs/configuration.md goes through ``hookyard check``.

A block passes, unless the line before it says otherwise: ``<!-- check: fragment -->`` (a
part of a file, e.g. routes whose sinks are elsewhere) or ``<!-- check: invalid -->`` (a
deliberate mistake) must fail. An invalid block followed by a ```text block shows what
``check`` prints: its problem lines must be exactly what ``check`` says.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hookyard.cli import main

ROOT = Path(__file__).parents[2]
DOCS = (ROOT / "README.md", ROOT / "docs" / "configuration.md")
BLOCK = re.compile(
    r"^(?:<!-- check: (?P<mark>fragment|invalid) -->\n)?```yaml\n(?P<yaml>.*?)^```\n"
    r"(?:\n```text\n(?P<output>.*?)^```\n)?",
    re.MULTILINE | re.DOTALL,
)
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _snippets() -> list[pytest.ParameterSet]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start("yaml"))
            found.append(
                pytest.param(
                    match.group("yaml"),
                    match.group("mark"),
                    match.group("output"),
                    id=f"{doc.name}:{line}",
                )
            )
    return found


def test_every_yaml_block_is_found() -> None:
    blocks = sum(doc.read_text(encoding="utf-8").count("```yaml\n") for doc in DOCS)
    assert blocks == len(_snippets()) >= 4


@pytest.mark.parametrize(("yaml", "mark", "output"), _snippets())
def test_a_doc_snippet_passes_check_unless_marked(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    yaml: str,
    mark: str | None,
    output: str | None,
) -> None:
    for name in VARIABLE.findall(yaml):  # secrets the reader sets in the environment
        monkeypatch.setenv(name, f"example-{name.lower()}")
    path = tmp_path / "my.yaml"
    path.write_text(yaml, encoding="utf-8")
    env = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    result = CliRunner().invoke(main, ["check", "--config", str(path)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if mark is None:
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 2, f"a {mark} block passes check"
    if output is not None:
        shown = [line for line in output.splitlines() if line.startswith("  ")]
        assert result.stderr.splitlines()[1:] == shown
