"""``hookyard test``: run route test files against their configurations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hookyard._json import dumps
from hookyard.cli.common import user_errors
from hookyard.routetests.cases import RouteTestError
from hookyard.routetests.runner import load_suite, run_suite

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from hookyard.routetests.runner import CaseResult, Suite

__all__ = ["route_tests"]


@click.command("test")
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON summary.")
@user_errors
def route_tests(files: tuple[str, ...], as_json: bool) -> None:
    """Run the cases of route test FILEs: each routes its events by the file's
    configuration and checks what would be delivered (docs/configuration.md, "Testing
    routes"). Nothing is stored or delivered.

    Exit code 0 when every case passes, 1 when one fails, 2 when a test file or its
    configuration is wrong (nothing runs then).
    """
    suites = _loaded(files)
    results = [(suite, run_suite(suite)) for suite in suites]
    if as_json:
        click.echo(dumps(_summary(results)))
    else:
        for line in _report(results):
            click.echo(line)
    if not all(result.passed for _, found in results for result in found):
        sys.exit(1)


def _loaded(files: Sequence[str]) -> list[Suite]:
    """Every file's suite; the problems of every wrong file, then exit code 2."""
    suites, wrong = [], False
    for name in files:
        try:
            suites.append(load_suite(Path(name)))
        except RouteTestError as exc:
            click.echo(f"hookyard: test file {name} is not valid:", err=True)
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            wrong = True
    if wrong:
        sys.exit(2)
    return suites


def _report(results: list[tuple[Suite, list[CaseResult]]]) -> Iterator[str]:
    for suite, found in results:
        yield str(suite.file.path)
        for result in found:
            yield f"  {'ok  ' if result.passed else 'FAIL'}  {result.case.name}"
            yield from (f"        {line}" for line in result.failures)
    cases = [result for _, found in results for result in found]
    failed = sum(not result.passed for result in cases)
    yield f"{len(cases) - failed} passed, {failed} failed"


def _summary(results: list[tuple[Suite, list[CaseResult]]]) -> dict[str, Any]:
    cases = [
        {
            "file": str(suite.file.path),
            "case": result.case.where,
            "name": result.case.name,
            "passed": result.passed,
            "failures": list(result.failures),
            "planned": [
                {
                    "event": p.event,
                    "route": p.delivery.route,
                    "sink": p.delivery.sink,
                    "action": p.delivery.action,
                    "params": p.delivery.params,
                    "error": p.delivery.error,
                }
                for p in result.planned
            ],
        }
        for suite, found in results
        for result in found
    ]
    failed = sum(not case["passed"] for case in cases)
    return {"passed": len(cases) - failed, "failed": failed, "cases": cases}
