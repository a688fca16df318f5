"""The HTTP edge: Litestar routes that hand webhooks to :class:`hookyard.intake.Intake`.

Litestar stays here; nothing else in hookyard (and no plugin) imports it.
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, get, post
from litestar.params import FromPath  # noqa: TC002 (Litestar reads annotations at runtime)
from litestar.response import Response

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from hookyard.host import Host

__all__ = ["create_app"]

log = logging.getLogger("hookyard.app")
JSON = "application/json"


def _json(status: int, body: object) -> Response[bytes]:
    return Response(json.dumps(body).encode(), status_code=status, media_type=JSON)


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


def create_app(host: Host, *, workers: bool = True) -> Litestar:
    """A Litestar app serving ``host``; its lifespan starts and stops the host."""
    intake = host.intake

    @post("/hooks/{source:str}")
    async def receive(source: FromPath[str], request: Request[Any, Any, Any]) -> Response[bytes]:
        limit = intake.body_limit(source)
        if limit is None:
            return _json(404, {"error": f"no source named {source!r}"})
        body = await _read_body(request, limit)
        if body is None:
            return _json(413, {"error": f"body over {limit} bytes"})
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            answer = await intake.receive(source, headers, body)
        except Exception:
            log.exception("source %s: storing the webhook failed", source)
            return _json(503, {"error": "storage unavailable, please retry"})
        return _json(answer.status, answer.body)

    @get("/health")
    async def health() -> Response[bytes]:
        return _json(200, {"status": "ok"})

    @get("/ready")
    async def ready() -> Response[bytes]:
        try:
            await host.store.ping()
        except Exception as exc:
            return _json(503, {"status": "unavailable", "database": type(exc).__name__})
        return _json(200, {"status": "ready"})

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await host.start(intake=True, workers=workers)
        try:
            yield
        finally:
            await host.stop()

    limits = [source.max_body_bytes for source in host.config.sources.values()]
    return Litestar(
        route_handlers=[receive, health, ready],
        lifespan=[lifespan],
        request_max_body_size=max(limits, default=1024 * 1024) + 1,
        openapi_config=None,
        logging_config=None,  # the command's --log-level rules; Litestar's default is INFO
    )
