"""The SMTP contract server of hookyard.testing, as the sink's tests rely on it."""

from __future__ import annotations

import pytest
from email_support import request, send, sink_for

from hookyard import DeliveryFailed
from hookyard.testing import SmtpServer


def test_a_scripted_refusal_must_be_a_4xx_or_5xx_reply(plain_smtp: SmtpServer) -> None:
    with pytest.raises(ValueError, match="starts with a 4xx or 5xx code"):
        plain_smtp.fail_next("DATA", "250 OK")


async def test_a_refusal_applies_to_the_matching_command_only_once(plain_smtp: SmtpServer) -> None:
    plain_smtp.fail_next("RCPT", "550 5.1.1 User unknown", match="^bob@")
    sink = sink_for(plain_smtp)
    with pytest.raises(DeliveryFailed):
        await sink.deliver(request(send(to="bob@example.com")))
    await sink.deliver(request(send(to="ada@example.com")))
    await sink.deliver(request(send(to="bob@example.com")))
    assert [mail.rcpt_tos for mail in plain_smtp.wait_for(2)] == [
        ("ada@example.com",),
        ("bob@example.com",),
    ]


async def test_tls_uses_a_ca_made_for_the_run() -> None:
    with SmtpServer(security="tls") as first, SmtpServer(security="starttls") as second:
        assert first.ca_file is not None and first.ca_file == second.ca_file
        await sink_for(first).deliver(request())
        await sink_for(second).deliver(request())
        assert first.wait_for(1)[0].tls and second.wait_for(1)[0].tls
