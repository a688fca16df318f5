"""The email sink keeps hookyard's sink contract over SMTP (assert_sink_contract speaks
HTTP): an SMTP server that never answers, or answers a byte at a time, ends the attempt
within its timeout as a retryable failure, with no connection left open."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING

import pytest

from hookyard import DeliveryFailed, Seconds
from hookyard.testing import delivery_request, would_retry
from hookyard_email import EmailConfig, EmailSink, Recipients, SendParams

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

TIMEOUT = 0.5
SEND = SendParams(to=Recipients(("a@example.com",)), subject="s", text="t")


@contextlib.asynccontextmanager
async def peer(
    talk: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[tuple[int, list[asyncio.StreamWriter]]]:
    """A TCP server on 127.0.0.1 running ``talk`` per connection; the open connections."""
    open_: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_.append(writer)
        try:
            await talk(reader, writer)
            await reader.read()  # until the client hangs up
        finally:
            open_.remove(writer)
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], open_
    finally:
        server.close()


async def _silent(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
    await reader.read()  # not a word, until the client hangs up


async def _dripping(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    for byte in b"220 smtp.example.com ESMTP ready\r\n":
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(TIMEOUT / 4)


@pytest.mark.parametrize("talk", [_silent, _dripping], ids=["never answers", "drips"])
async def test_a_stalling_server_ends_the_attempt_within_its_timeout(
    talk: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> None:
    async with peer(talk) as (port, open_):
        config = EmailConfig(
            host="127.0.0.1",
            port=port,
            security="none",
            from_="h@example.com",
            timeout=Seconds(TIMEOUT),
        )
        sink = EmailSink(config)
        started = time.monotonic()
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("send", SEND))
        took = time.monotonic() - started
        await sink.aclose()
        for _ in range(50):
            if not open_:
                break
            await asyncio.sleep(0.02)
    assert took <= TIMEOUT + 1.0
    assert would_retry(failed.value)
    assert open_ == []
