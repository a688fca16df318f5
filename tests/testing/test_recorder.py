"""The recording server plugin authors test their sinks against."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from hookyard.testing import RecordingServer, Reply


def test_a_request_cut_off_mid_body_is_not_recorded() -> None:
    with RecordingServer() as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as cut_off:
            cut_off.sendall(b'POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"id"')
        time.sleep(0.2)  # the server sees the connection end before the full body
        answer = httpx.post(f"{server.url}/in", json={"id": "complete"})
        assert answer.status_code == 200
        assert [request.json() for request in server.wait_for(1)] == [{"id": "complete"}]
        time.sleep(0.2)
        assert len(server.requests) == 1


def test_scripted_replies_come_in_order_then_the_default() -> None:
    with RecordingServer() as server:
        server.script(Reply(status=429, headers={"Retry-After": "3"}), Reply(status=500))
        answers = [httpx.post(server.url, content=b"x") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [429, 500, 200]
    assert answers[0].headers["retry-after"] == "3"
    assert [request.body for request in server.requests] == [b"x", b"x", b"x"]


def test_leaving_the_block_stops_the_server_at_once() -> None:
    with RecordingServer() as server:
        assert httpx.post(server.url, content=b"x").status_code == 200
        leaving = time.monotonic()
    assert time.monotonic() - leaving < 0.2  # socketserver's own shutdown polls every 0.5 s
    with pytest.raises(httpx.ConnectError):
        httpx.post(server.url, content=b"after", timeout=2)
    assert [request.body for request in server.requests] == [b"x"]
