"""The benchmark's sink receiver: a small asyncio HTTP/1.1 server on 127.0.0.1.

It answers every POST with 200 at once and records, per event, the time it arrived
(``time.monotonic()``, a clock every process on the machine shares). The event is named
by the LiveChat ``webhook_id`` in the delivered event's ``raw`` (unique per request the
load generator sent), or at the top of the body when a forwarder posts the LiveChat
webhook itself (Node-RED). ``GET /count`` answers how many distinct events arrived and
when the first and the last did, ``GET /dump`` all arrival times as JSON, ``GET /reset``
forgets them all (between scenarios).

Run: ``python bench/_sink.py PORT`` (run.py does this).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"


class Arrivals:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.at: dict[str, float] = {}
        self.repeats = 0
        self.unreadable = 0
        self.first = self.last = 0.0

    def record(self, body: bytes, now: float) -> None:
        try:
            data = json.loads(body)
            key = data.get("raw", data)["webhook_id"]
        except (ValueError, KeyError, TypeError, AttributeError):
            self.unreadable += 1
            return
        if key in self.at:
            self.repeats += 1
        else:
            self.at[key] = now
            self.first = self.first or now
            self.last = now

    def answer(self, path: str) -> bytes:
        data: dict[str, object]
        if path == "/count":
            data = {
                "count": len(self.at),
                "repeats": self.repeats,
                "unreadable": self.unreadable,
                "first": self.first,
                "last": self.last,
            }
        elif path == "/dump":
            data = {"arrivals": self.at, "repeats": self.repeats}
        elif path == "/reset":
            self.clear()
            data = {"count": 0}
        else:
            return b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
        body = json.dumps(data).encode()
        head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}"
        return head.encode() + b"\r\n\r\n" + body


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


async def _serve(
    arrivals: Arrivals, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            now = time.monotonic()
            body = await reader.readexactly(_content_length(head))
            method, path, _ = head.split(b" ", 2)
            if method == b"POST":
                arrivals.record(body, now)
                writer.write(OK)
            else:
                writer.write(arrivals.answer(path.decode()))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    arrivals = Arrivals()
    server = await asyncio.start_server(
        lambda r, w: _serve(arrivals, r, w), "127.0.0.1", port, backlog=1024
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
