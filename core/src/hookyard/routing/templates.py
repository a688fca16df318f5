"""Internal: the sandbox a route's templates compile and render in (text, and native for
fields that are not text), and how a template's failure becomes a dead delivery's reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.nativetypes import NativeCodeGenerator, NativeTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

from hookyard._json import loads
from hookyard.config.located import format_path
from hookyard.routing.checks import template_problems

if TYPE_CHECKING:
    from jinja2.runtime import Context

    from hookyard.config import Problems
    from hookyard.config.located import Path as KeyPath

__all__ = ["compile_templates", "environment", "failed_because", "render_templates"]

#: The largest result of ``**`` (in bits) and of ``*`` on text or a list (in items) that a
#: template may compute; beyond it the template fails instead of filling the memory.
MAX_POWER_BITS = 100_000
MAX_REPEAT = 100_000


class _TemplateFailed(Exception):
    """A template of ``with`` raised ``error``; ``path`` is its place in the file."""

    def __init__(self, path: KeyPath, error: Exception) -> None:
        self.path = path
        self.error = error


def render_templates(
    templates: Any, context: dict[str, Any], place: KeyPath
) -> tuple[Any, str | None]:
    """``templates`` (compiled at ``place`` in the file) rendered, or ``{}`` and the reason
    the delivery is dead.

    Any exception counts, not only Jinja's: a filter given the wrong type raises
    ``TypeError``, the sandbox raises ``OverflowError`` for a huge ``range``.
    """
    try:
        return _render_value(templates, context, place), None
    except _TemplateFailed as failed:
        return {}, failed_because(failed.path, failed.error)


def failed_because(place: KeyPath, error: Exception) -> str:
    """Why a delivery is dead: the template at ``place`` raised ``error``."""
    reason = str(error) if isinstance(error, jinja2.TemplateError) else _named(error)
    return f"{format_path(place)}: template failed: {reason}"


def _named(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _render_value(value: Any, context: dict[str, Any], path: KeyPath) -> Any:
    if isinstance(value, jinja2.Template):
        try:
            return value.render(context)
        except Exception as exc:  # a template's failure is the delivery's, never intake's
            raise _TemplateFailed(path, exc) from exc
    if isinstance(value, dict):
        return {key: _render_value(item, context, (*path, key)) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_value(item, context, (*path, i)) for i, item in enumerate(value)]
    return value


class _Sandbox(ImmutableSandboxedEnvironment):
    """Unsafe attributes (``__class__``, ``update``...) fail the template, never render;
    so do powers and repetitions too large to compute (``10 ** (10 ** 10)``)."""

    intercepted_binops = frozenset({"**", "*"})

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe"
        )

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _power_bits(left, right) > MAX_POWER_BITS:
            raise OverflowError(f"{left} ** {right} is too large for a template")
        if operator == "*" and _repeated(left, right) > MAX_REPEAT:
            raise OverflowError(f"{left!r:.20} * {right!r:.20} is too large for a template")
        return super().call_binop(context, operator, left, right)


def _power_bits(base: Any, exponent: Any) -> int:
    """About how many bits ``base ** exponent`` has, for whole numbers (0 otherwise)."""
    if not (_whole(base) and _whole(exponent)) or exponent <= 0:
        return 0
    return int(max(abs(base).bit_length() - 1, 0) * exponent)


def _repeated(left: Any, right: Any) -> int:
    """How long text or a list times a whole number is (0 for other operands)."""
    for times, sequence in ((left, right), (right, left)):
        if _whole(times) and isinstance(sequence, str | list | tuple):
            return int(times * len(sequence))
    return 0


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_concat(values: Any) -> Any:
    """A native template's value: one expression's value as it is (text from the event stays
    text); text the template builds from several parts read as JSON when it is JSON."""
    parts = list(values)
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    text = "".join(str(part) for part in parts)
    try:
        return loads(text)
    except ValueError:
        return text


class _RuntimeOutput(NativeCodeGenerator):
    """Native output without Jinja's constant folding, which turns ``{{ false }}`` into the
    text ``False`` at compile time: every expression is evaluated, so it keeps its type."""

    def _output_child_to_const(self, node: Any, frame: Any, finalize: Any) -> Any:
        raise nodes.Impossible()


class _NativeSandbox(_Sandbox):
    """The sandbox for fields that are not text: templates keep their values' types."""

    code_generator_class = _RuntimeOutput
    concat = staticmethod(_json_concat)


class _NativeSandboxTemplate(NativeTemplate):
    environment_class = _NativeSandbox  # type: ignore[assignment]


_NativeSandbox.template_class = _NativeSandboxTemplate


def _from_json(text: Any) -> Any:
    """The ``fromjson`` filter: JSON text (``event.data.blocks_json``) as its value."""
    if not isinstance(text, str | bytes):
        raise TypeError(f"fromjson takes JSON text, got {type(text).__name__}")
    return loads(text)


def environment(native: bool = False) -> jinja2.Environment:
    """The sandbox templates compile in; ``native``: one whose templates keep their types."""
    kind = _NativeSandbox if native else _Sandbox
    env = kind(autoescape=False, undefined=jinja2.ChainableUndefined, keep_trailing_newline=True)
    env.filters["fromjson"] = _from_json
    return env


def compile_templates(
    value: Any, env: jinja2.Environment, path: KeyPath, problems: Problems, grouped: bool = False
) -> Any:
    """``value`` with every string compiled; what a template reads wrongly is a problem
    (``events`` is there only for a ``grouped`` route)."""
    if isinstance(value, str):
        try:
            parsed = env.parse(value)
            for problem in template_problems(parsed, grouped):
                problems.add(path, problem)
            return env.from_string(parsed)
        except jinja2.TemplateSyntaxError as exc:
            problems.add(path, f"template does not compile: {exc.message}")
            return value
    if isinstance(value, dict):
        return {
            k: compile_templates(v, env, (*path, k), problems, grouped) for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            compile_templates(v, env, (*path, i), problems, grouped) for i, v in enumerate(value)
        ]
    return value
