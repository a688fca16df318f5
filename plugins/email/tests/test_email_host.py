"""The sink inside a real hookyard host: routes, retries, dead deliveries, stored text."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from email_support import PASSWORD, chat_event, config

if TYPE_CHECKING:
    import pytest

    from hookyard.testing import HostFactory, SmtpServer


async def test_one_chat_s_events_arrive_as_one_thread(
    hookyard_host: HostFactory, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with hookyard_host(config(smtp)) as host:
        for number in (1, 2):
            assert (
                await host.post("chats", chat_event(number, text=f"message {number}"))
            ).status == 200
        await host.post("chats", chat_event(1, chat="chat-2"))
        deliveries = await host.deliver()
    assert [d.status for d in deliveries] == ["delivered"] * 3
    # Each chat's mails go in order; the two chats' mails may go in either order.
    by_text = {mail.message.get_content().strip(): mail for mail in smtp.wait_for(3)}
    first, second = by_text["message 1"], by_text["message 2"]
    other = by_text["Where is my order?"]
    assert first.rcpt_tos == ("ada@example.com",)
    assert first.message["Subject"] == "Chat chat-1"
    assert other.message["Subject"] == "Chat chat-2"
    assert second.message["In-Reply-To"] == first.message["Message-ID"]
    assert other.message["In-Reply-To"] is None  # another chat, another thread
    assert deliveries[0].last_response is not None and "queued as" in deliveries[0].last_response
    assert PASSWORD not in caplog.text


async def test_a_refusal_for_now_is_retried_until_the_mail_is_taken(
    hookyard_host: HostFactory, smtp: SmtpServer
) -> None:
    # SMTP has no Retry-After: a relay's throttling (421/451 4.7.x) is a 4xx, retried.
    smtp.fail_next("MAIL", "451 4.7.1 Too many messages, slow down", times=2)
    async with hookyard_host(config(smtp)) as host:
        await host.post("chats", chat_event(1))
        [delivery] = await host.deliver()
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "delivered"
    assert [a.outcome for a in attempts] == ["retry", "retry", "delivered"]
    assert attempts[0].error == (
        f"SMTP 451 from 127.0.0.1:{smtp.port} at MAIL FROM: 4.7.1 Too many messages, slow down"
    )
    assert len(smtp.wait_for(1)) == 1


async def test_a_permanent_refusal_is_dead_with_the_server_s_reply(
    hookyard_host: HostFactory, smtp: SmtpServer
) -> None:
    smtp.fail_next("DATA", "554 5.7.1 Message rejected: spam content")
    async with hookyard_host(config(smtp)) as host:
        await host.post("chats", chat_event(1))
        [delivery] = await host.deliver()
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "dead"
    assert len(attempts) == 1
    assert delivery.last_error is not None
    assert delivery.last_error == (
        f"SMTP 554 from 127.0.0.1:{smtp.port} at DATA: 5.7.1 Message rejected: spam content"
    )
    assert delivery.last_response == "554 5.7.1 Message rejected: spam content"
    assert smtp.messages == []


async def test_a_timeout_after_data_resends_the_same_message_id(
    hookyard_host: HostFactory, smtp: SmtpServer
) -> None:
    # The server keeps the mail but answers DATA after the attempt gave up: SMTP cannot
    # tell the sender, so the retry sends it again, as the same mail to the receiver.
    smtp.slow_next(1.0)
    async with hookyard_host(config(smtp, timeout="300ms")) as host:
        await host.post("chats", chat_event(1))
        [delivery] = await host.deliver()
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "delivered"
    assert attempts[0].error == f"timed out after 0.3s talking to 127.0.0.1:{smtp.port}"
    kept, resent = smtp.wait_for(2)
    assert kept.message["Message-ID"] == resent.message["Message-ID"]
    assert kept.message["Subject"] == resent.message["Subject"]


async def test_a_refused_login_is_dead_and_the_password_is_nowhere(
    hookyard_host: HostFactory, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "an-old-" + PASSWORD
    async with hookyard_host(config(smtp, password=wrong)) as host:
        await host.post("chats", chat_event(1))
        [delivery] = await host.deliver()
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "dead"
    assert delivery.last_error is not None
    assert "authentication as 'hookyard-relay' refused" in delivery.last_error
    assert "535 5.7.8" in delivery.last_error
    stored = [delivery.last_error, delivery.last_response, *(a.error for a in attempts)]
    assert wrong not in " ".join(str(text) for text in stored)
    assert wrong not in caplog.text


async def test_an_event_without_an_address_is_dead_naming_the_place(
    hookyard_host: HostFactory, smtp: SmtpServer
) -> None:
    event = chat_event(1)
    event["customer"] = {"id": "customer-1", "name": "Ada Lovelace", "email": "not an address"}
    async with hookyard_host(config(smtp)) as host:
        await host.post("chats", event)
        [delivery] = await host.deliver()
    assert delivery.status == "dead"
    assert delivery.last_error is not None and "with.to" in delivery.last_error
    assert "not an e-mail address" in delivery.last_error
    assert smtp.messages == []
