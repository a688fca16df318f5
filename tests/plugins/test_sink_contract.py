"""``assert_sink_contract`` catches the sinks that break the contract: one that keeps a
target's echo of its token, one bounded only per read, one that leaves its connections open."""

from __future__ import annotations

import asyncio
import base64
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING

import pytest

from hookyard import DeliveryFailed, DeliveryRequest, DeliveryResult
from hookyard.testing import assert_sink_contract, delivery_request

if TYPE_CHECKING:
    from collections.abc import Callable

TOKEN = "tok-5d1e9a7c3b2f"


class UrllibSink:
    """A sink on urllib in a thread: a read timeout per read, nothing bounding the whole."""

    def __init__(self, url: str, *, leaks: bool = False, read_timeout: float = 0.5) -> None:
        self.url = url
        self.leaks = leaks
        self.read_timeout = read_timeout

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        return await asyncio.to_thread(self._post)

    def _post(self) -> DeliveryResult:
        sent = urllib.request.Request(self.url, b"{}", {"authorization": f"Bearer {TOKEN}"})
        try:
            with urllib.request.urlopen(sent, timeout=self.read_timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode() if self.leaks else "(not kept)"
            raise DeliveryFailed(f"HTTP {exc.code}", status_code=exc.code, response=body) from None
        except OSError as exc:
            raise DeliveryFailed(f"connection failed: {type(exc).__name__}") from None
        return DeliveryResult()

    async def aclose(self) -> None:
        pass


async def test_a_sink_that_keeps_an_echoed_token_breaks_the_contract() -> None:
    with pytest.raises(AssertionError, match="a secret reached a failure or the log"):
        await assert_sink_contract(
            lambda url: UrllibSink(url, leaks=True),
            delivery_request("post"),
            secrets=[TOKEN],
            timeout=0.5,
        )


async def test_a_sink_bounded_only_per_read_breaks_the_contract() -> None:
    with pytest.raises(AssertionError, match="answers a byte at a time"):
        await assert_sink_contract(
            lambda url: UrllibSink(url), delivery_request("post"), secrets=[TOKEN], timeout=0.5
        )


class ChattySink(UrllibSink):
    """Bounded and discreet in its failures, but it logs the token (quoted or not)."""

    def __init__(self, url: str, write: Callable[[str], str]) -> None:
        super().__init__(url)
        self.write = write

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        logging.getLogger("chatty").info("posting with %s", self.write(TOKEN))
        async with asyncio.timeout(0.5):
            return await super().deliver(request)


@pytest.mark.parametrize(
    "write", [str, urllib.parse.quote, lambda t: base64.b64encode(t.encode()).decode()]
)
async def test_a_sink_that_logs_its_token_at_info_breaks_the_contract(
    write: Callable[[str], str],
) -> None:
    with pytest.raises(AssertionError, match="a secret reached a failure or the log"):
        await assert_sink_contract(
            lambda url: ChattySink(url, write),
            delivery_request("post"),
            secrets=[TOKEN],
            timeout=0.5,
        )


async def test_an_unset_secret_is_no_secret() -> None:
    """An optional password left empty is not found in every text."""
    with pytest.raises(AssertionError, match="answers a byte at a time"):  # not "a secret"
        await assert_sink_contract(
            lambda url: UrllibSink(url),
            delivery_request("post"),
            secrets=[TOKEN, ""],
            timeout=0.5,
        )
