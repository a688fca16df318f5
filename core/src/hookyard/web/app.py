"""The HTTP edge: Litestar routes that hand webhooks to :class:`hookyard.intake.Intake`.

Litestar stays here; nothing else in hookyard (and no plugin) imports it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath  # noqa: TC002 (Litestar reads annotations at runtime)
from litestar.response import Response

from hookyard._json import dumpb
from hookyard.intake import Caller
from hookyard.observability.metrics import CONTENT_TYPE
from hookyard.store import StoreError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from hookyard.host import Host
    from hookyard.intake import Answer

__all__ = ["create_app"]

log = logging.getLogger("hookyard.app")
JSON = "application/json"
#: Seconds a sender has to deliver the whole body once its headers arrived.
BODY_TIMEOUT = 30.0


def _json(status: int, body: object) -> Response[bytes]:
    return Response(dumpb(body), status_code=status, media_type=JSON)


async def _read_body(request: Request[Any, Any, Any], limit: int) -> bytes | None:
    """The body, or None once it grows past ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(answer: Answer) -> Response[bytes]:
    return _json(answer.status, answer.body)


def _host(request: Request[Any, Any, Any]) -> Host:
    host: Host = request.app.state.host
    return host


@post("/hooks/{source:str}")
async def receive(source: FromPath[str], request: Request[Any, Any, Any]) -> Response[bytes]:
    """Authenticate, parse, route and store one webhook; 200 only once it is committed."""
    intake = _host(request).intake
    limit = intake.body_limit(source)
    if limit is None:
        return _answer(intake.unknown_source(source))
    try:
        async with asyncio.timeout(request.app.state.body_timeout):
            body = await _read_body(request, limit)
    except TimeoutError:
        return _answer(intake.body_timeout(source))
    if body is None:
        return _answer(intake.too_large(source))
    headers = {name.lower(): value for name, value in request.headers.items()}
    query = request.scope.get("query_string", b"").decode("latin-1")
    caller = Caller(request.client.host if request.client else None, query)
    try:
        answer = await intake.receive(source, headers, body, caller)
    except StoreError as exc:
        log.error("source %s: storing the webhook failed: %s", source, exc)
        return _answer(intake.unavailable(source))
    except Exception:  # a bug, not the storage: 503 would tell the sender to wait for it
        log.exception("source %s: receiving the webhook failed", source)
        return _answer(intake.internal_error(source))
    return _answer(answer)


@get("/health")
async def health(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The process is up; ``intake`` counts what this process answered, by outcome."""
    return _json(200, {"status": "ok", "intake": dict(_host(request).intake.counters)})


@get("/ready")
async def ready(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The database answers."""
    try:
        await _host(request).store.ping()
    except Exception as exc:
        return _json(503, {"status": "unavailable", "database": type(exc).__name__})
    return _json(200, {"status": "ready"})


@get("/metrics")
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus text format: this process's counters, and each sink's queue and state
    as the database has them now (left out, with ``hookyard_database_up 0``, if it fails)."""
    host = _host(request)
    try:
        sinks = await host.store.deliveries.sinks(list(host.config.sinks))
    except StoreError as exc:
        log.warning("metrics: reading the sinks' queues failed: %s", exc)
        sinks = None
    return Response(host.metrics.render(sinks), media_type=CONTENT_TYPE)


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    host: Host = app.state.host
    await host.start(intake=True, workers=app.state.workers)
    try:
        yield
    finally:
        await host.stop()


def create_app(host: Host, *, workers: bool = True, body_timeout: float = BODY_TIMEOUT) -> Litestar:
    """A Litestar app serving ``host``; its lifespan starts and stops the host.

    :param body_timeout: seconds a sender has to send the whole body (else 408).
    """
    return Litestar(
        route_handlers=[receive, health, ready, metrics],
        lifespan=[_lifespan],
        state=State({"host": host, "workers": workers, "body_timeout": body_timeout}),
        request_max_body_size=None,  # each source's own limit, in _read_body: 413 counted
        openapi_config=None,
        logging_config=None,  # the command's --log-level rules; Litestar's default is INFO
    )
