"""The open ``email`` sink: one SMTP session per delivery, each failure sorted by its reply.

RFC 5321: a 4xx reply is transient (retried), a 5xx permanent (dead, with the server's
words). A connection refused, a dropped connection or a timeout is retried.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import ssl
from typing import TYPE_CHECKING

import aiosmtplib

from hookyard import DeliveryFailed, DeliveryResult
from hookyard_email._message import build_message, envelope_recipients, thread_link

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hookyard import DeliveryRequest
    from hookyard_email._config import EmailConfig

__all__ = ["EXCERPT_CHARS", "EmailSink"]

#: How much of a server's reply is kept with the delivery.
EXCERPT_CHARS = 500
#: The longest wait for the answer to QUIT once the mail is accepted (it changes nothing).
QUIT_SECONDS = 1.0
#: Where in the session a reply came, by the exception aiosmtplib raises for it.
_STAGES = {
    aiosmtplib.SMTPConnectResponseError: "the greeting",
    aiosmtplib.SMTPHeloError: "EHLO",
    aiosmtplib.SMTPAuthenticationError: "AUTH",
    aiosmtplib.SMTPSenderRefused: "MAIL FROM",
    aiosmtplib.SMTPRecipientRefused: "RCPT TO",
    aiosmtplib.SMTPDataError: "DATA",
}


class EmailSink:
    """An open ``email`` sink.

    Each delivery opens its own session (connect, TLS, AUTH, one mail, QUIT): SMTP servers
    drop idle sessions, and one session per mail keeps one mail's failure from another.
    The TLS settings are loaded and the local host name (for EHLO) looked up once, here.
    """

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self._tls = None if config.security == "none" else _tls_context(config.ca_file)
        self._local_hostname = socket.getfqdn()
        self._secrets = _secret_forms(config.username, config.password)

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Send the mail; raise :class:`DeliveryFailed` unless the server accepted it."""
        message = build_message(self.config, request)
        recipients = envelope_recipients(request.params)
        client = self._client()
        try:
            async with asyncio.timeout(self.config.timeout):
                await client.connect()
                refused, reply = await client.send_message(
                    message, sender=self.config.sender, recipients=recipients
                )
        except Exception as exc:
            client.close()
            failure = self._failure(exc)
            if failure is None:
                raise
            raise failure from None
        except BaseException:  # cancelled: the worker is stopping
            client.close()
            raise
        await _quit(client)
        response = f"accepted by {self.config.host}: {_one_line(reply)}"
        if refused:
            gone = ", ".join(f"{a} ({r.code} {_one_line(r.message)})" for a, r in refused.items())
            response += f"; refused: {gone}"
        return DeliveryResult(
            response=self._clean(response),
            link=thread_link(request.link, str(message["Message-ID"])),
        )

    async def aclose(self) -> None:
        """Nothing to release: every session ends with its delivery."""

    def _client(self) -> aiosmtplib.SMTP:
        config = self.config
        return aiosmtplib.SMTP(
            hostname=config.host,
            port=config.server_port,
            username=config.username,
            password=config.password,
            local_hostname=self._local_hostname,
            timeout=config.timeout,
            use_tls=config.security == "tls",
            start_tls=config.security == "starttls",
            tls_context=self._tls,
        )

    def _failure(self, exc: Exception) -> DeliveryFailed | None:
        """What ``exc`` means for the delivery (none of its words hold a secret); ``None``
        for an exception that is no SMTP or network failure (hookyard logs and retries it)."""
        where = f"{self.config.host}:{self.config.server_port}"
        if isinstance(exc, TimeoutError):  # aiosmtplib's own timeouts are TimeoutErrors too
            return DeliveryFailed(f"timed out after {self.config.timeout:g}s talking to {where}")
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
            return self._refused(exc.recipients)
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            return self._reply(exc, where)
        if isinstance(exc, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected):
            return DeliveryFailed(self._clean(f"connection to {where} failed: {exc}"))
        if isinstance(exc, aiosmtplib.SMTPException):  # no STARTTLS, no AUTH, no SMTPUTF8
            return DeliveryFailed(self._clean(f"{where}: {exc}"), permanent=True)
        if isinstance(exc, OSError):  # a TLS handshake refused after STARTTLS, for one
            return DeliveryFailed(self._clean(f"connection to {where} failed: {exc}"))
        return None

    def _reply(self, exc: aiosmtplib.SMTPResponseException, where: str) -> DeliveryFailed:
        stage = next((s for kind, s in _STAGES.items() if isinstance(exc, kind)), "a command")
        text = _one_line(exc.message)
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
            user = self.config.username
            reason = f"authentication as {user!r} refused by {where}: {exc.code} {text}"
        else:
            reason = f"SMTP {exc.code} from {where} at {stage}: {text}"
        return DeliveryFailed(
            self._clean(reason),
            response=self._clean(f"{exc.code} {text}"),
            permanent=exc.code >= 500,
        )

    def _refused(self, refusals: Iterable[aiosmtplib.SMTPRecipientRefused]) -> DeliveryFailed:
        replies = [(r.recipient, r.code, _one_line(r.message)) for r in refusals]
        listed = "; ".join(f"{who}: {code} {text}" for who, code, text in replies)
        return DeliveryFailed(
            self._clean(f"every recipient refused at RCPT TO: {listed}"),
            response=self._clean(listed),
            # Nothing was sent: a retry duplicates nothing, and a 4xx may pass next time.
            permanent=all(code >= 500 for _who, code, _text in replies),
        )

    def _clean(self, text: str) -> str:
        """``text`` without the password in any form a server could echo, cut to size."""
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text[:EXCERPT_CHARS]


async def _quit(client: aiosmtplib.SMTP) -> None:
    """Say QUIT, briefly: the mail is accepted, so nothing that happens now fails it."""
    try:
        async with asyncio.timeout(QUIT_SECONDS):
            await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        pass
    finally:
        client.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _secret_forms(username: str | None, password: str | None) -> tuple[str, ...]:
    """The password as written, in base64 (AUTH LOGIN) and in AUTH PLAIN's base64."""
    if not password:
        return ()
    plain = f"\0{username or ''}\0{password}".encode()
    encoded = (base64.b64encode(password.encode()), base64.b64encode(plain))
    return (password, *(e.decode("ascii") for e in encoded))


def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    """TLS verified against ``ca_file``, else the system's trusted CAs; names checked."""
    return ssl.create_default_context(cafile=ca_file)
