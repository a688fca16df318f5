"""Public: hypothesis strategies and a parse check for vendor plugins' property tests.

Needs hypothesis installed (hookyard does not depend on it), so it is not re-exported by
:mod:`hookyard.testing`: import it as ``hookyard.testing.strategies``::

    from hookyard.testing.strategies import assert_parses_or_rejects, json_values

    @given(json_values())
    def test_any_json_value(value):
        assert_parses_or_rejects(parse, CONFIG, value, count=1)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from hypothesis import strategies as st

from hookyard import Event, PayloadRejected, WebhookRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from hypothesis.strategies import SearchStrategy

__all__ = ["assert_parses_or_rejects", "json_scalars", "json_values"]

Config = TypeVar("Config")


def json_scalars(*extra: SearchStrategy[Any], max_text: int | None = None) -> SearchStrategy[Any]:
    """Any JSON scalar: null, booleans, integers, finite floats and text, or one of ``extra``.

    :param extra: more values to draw from, such as strings shaped like the vendor's.
    :param max_text: the longest text drawn (unbounded by default).
    """
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=max_text),
        *extra,
    )


def json_values(
    scalars: SearchStrategy[Any] | None = None,
    *,
    max_leaves: int = 25,
    max_items: int | None = 4,
    max_keys: int | None = 6,
    keys: SearchStrategy[str] | None = None,
) -> SearchStrategy[Any]:
    """Any JSON value: ``scalars`` (:func:`json_scalars` by default) in arrays and objects.

    :param max_leaves: how many scalars one value holds at the most.
    :param max_items: the longest array (``None``: unbounded).
    :param max_keys: the most members of an object (``None``: unbounded).
    :param keys: the objects' keys (text of up to 12 characters by default).
    """
    names = st.text(max_size=12) if keys is None else keys
    return st.recursive(
        json_scalars() if scalars is None else scalars,
        lambda inner: (
            st.lists(inner, max_size=max_items) | st.dictionaries(names, inner, max_size=max_keys)
        ),
        max_leaves=max_leaves,
    )


def assert_parses_or_rejects(
    parse: Callable[[Config, WebhookRequest], Sequence[Event]],
    config: Config,
    body: object,
    *,
    source: str = "test",
    headers: Mapping[str, str] | None = None,
    count: int | None = None,
) -> list[Event]:
    """The events ``parse`` makes of ``body``, or ``[]`` when it raises ``PayloadRejected``.

    Fails (``AssertionError``) unless ``parse`` returns events (exactly ``count`` of them,
    when given) or raises :class:`~hookyard.PayloadRejected`; any other exception passes
    through, as intake would keep that payload as ``unparsed``.

    :param body: bytes as they are; any other value as its JSON (``json.dumps``, so lone
        surrogates arrive escaped).
    :param headers: the request's headers (lower-case names); none by default.
    """
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = WebhookRequest(
        source=source, body=data, headers=dict(headers or {}), received_at=datetime.now(UTC)
    )
    try:
        events = list(parse(config, request))
    except PayloadRejected:
        return []
    assert all(isinstance(event, Event) for event in events), events
    assert count is None or len(events) == count, events
    return events
