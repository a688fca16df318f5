"""Public through :mod:`hookyard.testing` (``from hookyard.testing import SmtpServer``): a
real SMTP server on 127.0.0.1 for e-mail sink tests.

:class:`SmtpServer` runs aiosmtpd's ``Controller`` in a thread on a free port and keeps
every mail it accepts as a :class:`Received` (the parsed message with its envelope). It
speaks the parts of RFC 5321 a sending client meets:

- AUTH LOGIN and PLAIN for one configured user and password (535 for any other), allowed
  without TLS because the server is only ever on the loopback interface;
- STARTTLS (``security="starttls"``: required before MAIL) or implicit TLS
  (``security="tls"``), with a certificate made for the test run by the ``openssl``
  command line (a throw-away CA, :attr:`SmtpServer.ca_file`, and a certificate for
  127.0.0.1 and ``localhost`` signed by it); nothing secret is kept in the repository;
- scripted replies: :meth:`SmtpServer.fail_next` answers the next MAIL, RCPT or DATA with
  a given reply (``451 4.3.0 Try again later``, ``550 5.1.1 No such user``) instead of
  accepting it; :meth:`SmtpServer.slow_next` accepts the next DATA (the mail is kept) and
  answers only after a delay, so the client may give up on a mail that was delivered.

It needs aiosmtpd, which hookyard does not depend on: install it with your tests.
"""

from __future__ import annotations

import asyncio
import atexit
import hmac
import logging
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from collections import deque
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from attrs import frozen

__all__ = ["Received", "SmtpServer"]

Command = Literal["MAIL", "RCPT", "DATA"]
_REPLY = re.compile(r"^[45][0-9][0-9][ -]")


def _not_login_data(record: logging.LogRecord) -> bool:
    """aiosmtpd 1.4 warns on every successful AUTH that a field it sets itself is deprecated."""
    return "Session.login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_not_login_data)


@frozen
class Received:
    """One mail the server accepted.

    :param mail_from: the envelope sender (MAIL FROM).
    :param rcpt_tos: the envelope recipients (RCPT TO), in order.
    :param message: the mail as parsed with the ``email`` package's default policy:
        ``message["Message-ID"]``, ``message.get_body(("plain",)).get_content()`` ...
    :param data: the mail's bytes as they arrived.
    :param login: the user the session authenticated as; ``None`` without AUTH.
    :param tls: whether the session was encrypted (STARTTLS or implicit TLS).
    """

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    data: bytes
    login: str | None
    tls: bool


@frozen
class _Fault:
    command: str
    pattern: re.Pattern[str] | None
    reply: str | None  # None: accept, then wait ``delay`` before answering
    delay: float = 0.0


class SmtpServer:
    """``with SmtpServer() as smtp:`` then point the sink at ``smtp.host`` and ``smtp.port``.

    :param security: ``"none"`` (plain SMTP), ``"starttls"`` (STARTTLS offered and required
        before MAIL) or ``"tls"`` (TLS from the first byte).
    :param username: with ``password``, the one user AUTH accepts; MAIL is then refused
        with 530 until the session authenticated. Without them, AUTH is refused.
    :param password: that user's password.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        security: Literal["none", "starttls", "tls"] = "none",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.security = security
        self.username = username
        self.password = password
        self.port = 0
        #: The PEM file of the CA that signed the server's certificate (``None`` without TLS).
        self.ca_file: str | None = None
        #: Every mail accepted, in order.
        self.messages: list[Received] = []
        #: Every AUTH attempt: the user name given and whether it was accepted.
        self.logins: list[tuple[str, bool]] = []
        self._faults: deque[_Fault] = deque()
        self._arrived = threading.Condition()
        self._controller: _Controller | None = None

    def fail_next(
        self, command: Command, reply: str, *, times: int = 1, match: str | None = None
    ) -> None:
        """Answer the next ``times`` ``command``s (MAIL, RCPT or DATA) with ``reply``, e.g.
        ``"451 4.3.0 Try again later"``, doing nothing else.

        :param match: only commands whose argument (the address of MAIL and RCPT, the
            mail's text for DATA) this regular expression finds something in.
        """
        if not _REPLY.match(reply):
            raise ValueError(f"a refusal starts with a 4xx or 5xx code and a space: {reply!r}")
        self._script(_Fault(command, _compiled(match), reply), times)

    def slow_next(
        self, seconds: float, *, command: Command = "DATA", times: int = 1, match: str | None = None
    ) -> None:
        """Accept the next ``times`` ``command``s (a DATA keeps the mail), then wait
        ``seconds`` before answering: the client may give up although the server has it."""
        self._script(_Fault(command, _compiled(match), None, seconds), times)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until ``count`` mails arrived; return them all."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.messages)} of {count} mails arrived")
                self._arrived.wait(left)
            return list(self.messages)

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        tls = None
        if self.security != "none":
            ca_file, cert_file, key_file = _certificates()
            self.ca_file = ca_file
            tls = _server_context(cert_file, key_file)
        options: dict[str, Any] = {
            "server_hostname": "smtp.hookyard.test",
            "authenticator": self._authenticate,
            "auth_require_tls": False,  # loopback only: nothing to eavesdrop on
        }
        if self.security == "starttls":
            options.update(tls_context=tls, require_starttls=True)
        elif self.security == "tls":
            options.update(ssl_context=tls)
        self._controller = _Controller(_Handler(self), hostname=self.host, port=0, **options)
        self._controller.start()
        self.port = self._controller.port

    def stop(self) -> None:
        """Stop listening and end every session."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _script(self, fault: _Fault, times: int) -> None:
        with self._arrived:
            self._faults.extend(fault for _ in range(times))

    def _fault_for(self, command: str, argument: str) -> _Fault | None:
        with self._arrived:
            for fault in self._faults:
                if fault.command == command and (
                    fault.pattern is None or fault.pattern.search(argument)
                ):
                    self._faults.remove(fault)
                    return fault
        return None

    def _keep(self, received: Received) -> None:
        with self._arrived:
            self.messages.append(received)
            self._arrived.notify_all()

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or mechanism not in ("LOGIN", "PLAIN"):
            return AuthResult(success=False, handled=False)
        user = data.login.decode("utf-8", "replace")
        ok = (
            self.username is not None
            and self.password is not None
            and hmac.compare_digest(data.login, self.username.encode())
            and hmac.compare_digest(data.password, self.password.encode())
        )
        with self._arrived:
            self.logins.append((user, ok))
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)


class _Handler:
    """aiosmtpd's handler hooks: scripted faults first, then the ordinary answer."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook names
        self, _smtp: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.server.username is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        refusal = await self._fault("MAIL", address)
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(  # noqa: N802
        self, _smtp: SMTP, _session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = await self._fault("RCPT", address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        data = envelope.original_content or b""
        fault = self.server._fault_for("DATA", data.decode("utf-8", "replace"))
        if fault is not None and fault.reply is not None:
            return fault.reply
        message = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(message, EmailMessage)
        transport = smtp.transport
        self.server._keep(
            Received(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message,
                data=data,
                login=session.auth_data if isinstance(session.auth_data, str) else None,
                tls=transport is not None and transport.get_extra_info("ssl_object") is not None,
            )
        )
        if fault is not None:
            await asyncio.sleep(fault.delay)
        queued = len(self.server.messages)
        return f"250 2.0.0 OK: queued as {queued:08X}"

    async def _fault(self, command: str, argument: str) -> str | None:
        fault = self.server._fault_for(command, argument)
        if fault is None:
            return None
        if fault.reply is None:
            await asyncio.sleep(fault.delay)
        return fault.reply


class _Controller(Controller):
    """aiosmtpd's controller, bound to port 0: the port the system picked is read back."""

    def _create_server(self) -> Any:
        created = super()._create_server()

        async def bind() -> asyncio.AbstractServer:
            server = await created
            assert isinstance(server, asyncio.Server)  # loop.create_server() makes one
            self.port = server.sockets[0].getsockname()[1]
            return server

        return bind()


def _compiled(match: str | None) -> re.Pattern[str] | None:
    return None if match is None else re.compile(match)


def _server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


_CERTIFICATES: tuple[str, str, str] | None = None
_CERTIFICATES_LOCK = threading.Lock()


def _certificates() -> tuple[str, str, str]:
    """A CA and a certificate for 127.0.0.1 signed by it, made once per process by the
    ``openssl`` command line into a temporary folder (removed at exit): ``(ca_file,
    cert_file, key_file)``."""
    global _CERTIFICATES
    with _CERTIFICATES_LOCK:
        if _CERTIFICATES is None:
            if shutil.which("openssl") is None:
                raise RuntimeError("SmtpServer's TLS needs the openssl command line")
            folder = Path(tempfile.mkdtemp(prefix="hookyard-smtp-tls-"))
            atexit.register(shutil.rmtree, folder, True)
            _CERTIFICATES = _make_certificates(folder)
        return _CERTIFICATES


def _make_certificates(folder: Path) -> tuple[str, str, str]:
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, request = folder / "server.pem", folder / "server.key", folder / "server.csr"
    extensions = folder / "server.ext"
    extensions.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n",
        encoding="ascii",
    )
    key_options = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req", "-x509", *key_options, "-keyout", ca_key, "-out", ca, "-days", "2",
        "-subj", "/CN=hookyard test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    _openssl("req", "-new", *key_options, "-keyout", key, "-out", request, "-subj", "/CN=127.0.0.1")
    _openssl(
        "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", "2", "-extfile", extensions,
    )  # fmt: skip
    return str(ca), str(cert), str(key)


def _openssl(*arguments: str | Path) -> None:
    subprocess.run(["openssl", *map(str, arguments)], check=True, capture_output=True, timeout=30)
