"""Mail the sink sends, as the SMTP server receives it."""

from __future__ import annotations

import pytest
from attrs import evolve
from email_support import PASSWORD, SENDER, USER, request, send, sink_for

from hookyard.testing import SmtpServer
from hookyard_email import message_id


async def test_a_mail_arrives_with_its_envelope_headers_and_body(smtp: SmtpServer) -> None:
    sink = sink_for(smtp)
    delivery = request(send(cc=["grace@example.com"], subject="New chat\nfrom Ada"))
    result = await sink.deliver(delivery)
    [mail] = smtp.wait_for(1)
    assert mail.mail_from == "help@example.com"
    assert mail.rcpt_tos == ("ada@example.com", "grace@example.com")
    assert mail.login == USER and mail.tls
    message = mail.message
    assert message["From"] == SENDER
    assert message["To"] == "Ada Lovelace <ada@example.com>"
    assert message["Cc"] == "grace@example.com"
    assert message["Subject"] == "New chat from Ada"  # a line break is no header injection
    assert message["Date"] is not None
    assert message["Message-ID"] == f"<{delivery.idempotency_key}@example.com>"
    assert message["In-Reply-To"] is None
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Hello, my order has not arrived."
    assert result.response is not None and "queued as" in result.response
    assert result.link == {
        "message_id": message["Message-ID"],
        "last_message_id": message["Message-ID"],
    }


async def test_text_and_html_make_an_alternative_and_html_alone_is_html(smtp: SmtpServer) -> None:
    sink = sink_for(smtp)
    await sink.deliver(request(send(text="Plain words", html="<p>Rich <b>words</b></p>")))
    await sink.deliver(request(send(html="<p>Only rich</p>")))
    both, html = (mail.message for mail in smtp.wait_for(2))
    assert both.get_content_type() == "multipart/alternative"
    assert both.get_body(("plain",)).get_content().strip() == "Plain words"
    assert both.get_body(("html",)).get_content().strip() == "<p>Rich <b>words</b></p>"
    assert html.get_content_type() == "text/html"
    assert html.get_content().strip() == "<p>Only rich</p>"


async def test_a_conversation_s_mails_form_one_thread(smtp: SmtpServer) -> None:
    sink = sink_for(smtp)
    first = await sink.deliver(request())
    second = await sink.deliver(request(link=first.link))
    third = await sink.deliver(request(link=second.link))
    one, two, three = (mail.message for mail in smtp.wait_for(3))
    assert two["In-Reply-To"] == one["Message-ID"]
    assert two["References"] == one["Message-ID"]
    assert three["In-Reply-To"] == two["Message-ID"]
    assert three["References"] == f"{one['Message-ID']} {two['Message-ID']}"
    assert third.link == {"message_id": one["Message-ID"], "last_message_id": three["Message-ID"]}


async def test_a_mail_sent_again_has_the_same_id_and_never_refers_to_itself(
    smtp: SmtpServer,
) -> None:
    sink = sink_for(smtp)
    delivery = request()
    first = await sink.deliver(delivery)
    # A retry after an uncertain attempt, or a replay once the first mail was delivered.
    retried = await sink.deliver(evolve(delivery, attempt=2))
    replayed = await sink.deliver(evolve(delivery, link=first.link))
    original, again, replay = (mail.message for mail in smtp.wait_for(3))
    assert original["Message-ID"] == again["Message-ID"] == replay["Message-ID"]
    assert replay["In-Reply-To"] is None and replay["References"] is None
    assert retried.link == replayed.link == first.link


@pytest.mark.parametrize("security", ["tls", "starttls", "none"])
async def test_every_security_mode_authenticates(security: str) -> None:
    with SmtpServer(security=security, username=USER, password=PASSWORD) as server:  # type: ignore[arg-type]
        await sink_for(server).deliver(request())
        [mail] = server.wait_for(1)
    assert mail.login == USER
    assert mail.tls is (security != "none")
    assert server.logins == [(USER, True)]


async def test_a_relay_without_auth_takes_the_mail_as_is(plain_smtp: SmtpServer) -> None:
    await sink_for(plain_smtp).deliver(request(send(to=["a@example.com", "b@example.org"])))
    [mail] = plain_smtp.wait_for(1)
    assert mail.login is None and not mail.tls and plain_smtp.logins == []
    assert mail.rcpt_tos == ("a@example.com", "b@example.org")


async def test_one_recipient_refused_of_two_is_sent_to_the_other_and_said(smtp: SmtpServer) -> None:
    smtp.fail_next("RCPT", "550 5.1.1 <gone@example.com>: no such user", match="gone@")
    result = await sink_for(smtp).deliver(request(send(to="ada@example.com, gone@example.com")))
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ("ada@example.com",)
    assert result.response is not None
    assert (
        "refused: gone@example.com (550 5.1.1 <gone@example.com>: no such user)" in result.response
    )


def test_the_message_id_is_the_key_at_the_sender_s_domain() -> None:
    assert message_id("3f2a", "help@Example.COM") == "<3f2a@example.com>"
    assert message_id("a b:c", "help@bücher.example") == "<a-b-c@xn--bcher-kva.example>"
