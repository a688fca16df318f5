"""How each failure ends: a 4xx, a dropped connection or a timeout is retried; a 5xx, a
refused login or a server without STARTTLS is dead, with the server's own words."""

from __future__ import annotations

import socket

import pytest
from email_support import PASSWORD, request, send, sink_for

from hookyard import DeliveryFailed
from hookyard.testing import SmtpServer, would_retry


async def _failure(smtp: SmtpServer, **changes: object) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as failed:
        await sink_for(smtp, **changes).deliver(
            request(send(to="ada@example.com, bob@example.com"))
        )
    return failed.value


@pytest.mark.parametrize(
    ("command", "reply", "stage"),
    [
        ("MAIL", "451 4.3.0 Mail server temporarily rejected message", "MAIL FROM"),
        ("DATA", "452 4.3.1 Insufficient system storage", "DATA"),
        ("DATA", "421 4.7.0 Try again later, closing connection", "DATA"),
    ],
)
async def test_a_4xx_reply_is_retried_with_the_server_s_words(
    smtp: SmtpServer, command: str, reply: str, stage: str
) -> None:
    smtp.fail_next(command, reply)  # type: ignore[arg-type]
    failure = await _failure(smtp)
    assert would_retry(failure)
    assert failure.reason == f"SMTP {reply[:3]} from 127.0.0.1:{smtp.port} at {stage}: {reply[4:]}"
    assert failure.response == reply
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("MAIL", "553 5.7.1 Sender address rejected: not owned by user hookyard-relay"),
        ("DATA", "554 5.7.1 Message rejected as spam"),
        ("DATA", "552 5.3.4 Message size exceeds fixed limit"),
    ],
)
async def test_a_5xx_reply_is_dead_with_the_server_s_words(
    smtp: SmtpServer, command: str, reply: str
) -> None:
    smtp.fail_next(command, reply)  # type: ignore[arg-type]
    failure = await _failure(smtp)
    assert not would_retry(failure)
    assert reply[4:] in failure.reason
    assert failure.response == reply


async def test_every_recipient_refused_permanently_is_dead_naming_each(smtp: SmtpServer) -> None:
    smtp.fail_next("RCPT", "550 5.1.1 User unknown", times=2)
    failure = await _failure(smtp)
    assert not would_retry(failure)
    assert failure.reason == (
        "every recipient refused at RCPT TO: ada@example.com: 550 5.1.1 User unknown; "
        "bob@example.com: 550 5.1.1 User unknown"
    )


async def test_recipients_refused_for_now_are_retried(smtp: SmtpServer) -> None:
    smtp.fail_next("RCPT", "550 5.1.1 User unknown")
    smtp.fail_next("RCPT", "450 4.2.1 Mailbox receiving mail too fast, try later")
    failure = await _failure(smtp)
    assert would_retry(failure)  # nothing was sent, so a retry duplicates nothing
    assert "bob@example.com: 450 4.2.1" in failure.reason


async def test_a_refused_login_is_dead_and_never_says_the_password(smtp: SmtpServer) -> None:
    failure = await _failure(smtp, password="not-" + PASSWORD)
    assert not would_retry(failure)
    assert failure.reason == (
        f"authentication as 'hookyard-relay' refused by 127.0.0.1:{smtp.port}: "
        "535 5.7.8 Authentication credentials invalid"
    )
    assert PASSWORD not in f"{failure.reason} {failure.response}"
    # aiosmtplib tries each mechanism the server offers (PLAIN, LOGIN): none got through.
    assert {login for login in smtp.logins} == {("hookyard-relay", False)}


async def test_an_echoed_password_is_redacted(smtp: SmtpServer) -> None:
    smtp.fail_next("MAIL", f"553 5.7.1 user hookyard-relay/{PASSWORD} may not send as this")
    failure = await _failure(smtp)
    assert PASSWORD not in f"{failure.reason} {failure.response}"
    assert "hookyard-relay/[redacted] may not send" in failure.reason


async def test_a_mail_without_auth_where_the_server_needs_it_is_dead(smtp: SmtpServer) -> None:
    failure = await _failure(smtp, username=None, password=None)
    assert not would_retry(failure)
    assert failure.reason.endswith("at MAIL FROM: 5.7.0 Authentication required")


async def test_a_server_without_starttls_is_dead_not_sent_in_clear(
    plain_smtp: SmtpServer,
) -> None:
    failure = await _failure(plain_smtp, security="starttls")
    assert not would_retry(failure)
    assert "STARTTLS extension not supported" in failure.reason
    assert plain_smtp.messages == []


async def test_a_certificate_of_an_unknown_ca_is_refused_and_retried(smtp: SmtpServer) -> None:
    failure = await _failure(smtp, ca_file=None)  # the system's CAs do not know the test CA
    assert would_retry(failure)
    assert "certificate verify failed" in failure.reason
    assert smtp.messages == [] and smtp.logins == []  # the password never left


async def test_a_refused_connection_is_retried(smtp: SmtpServer) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    failure = await _failure(smtp, port=port)
    assert would_retry(failure)
    assert failure.reason.startswith(f"connection to 127.0.0.1:{port} failed:")


async def test_a_server_that_never_answers_times_out_and_is_retried() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with SmtpServer() as smtp:
            failure = await _failure(smtp, port=port, timeout=0.2)
    assert would_retry(failure)
    assert failure.reason == f"timed out after 0.2s talking to 127.0.0.1:{port}"
