"""What ``hookyard check`` says about the sink's options and a route's ``with``."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pytest

import hookyard_email
from hookyard.testing import ConfigError, load_config

SEND = {"to": "{{ event.customer.email }}", "subject": "Chat {{ event.chat.id }}", "text": "hi"}


def _config(sink: dict[str, Any], send: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {"mail": {"plugin": "email", **sink}},
        "routes": [{"to": "mail", "with": SEND if send is None else send}],
    }


def _problems(
    tmp_path: Path, sink: dict[str, Any], send: dict[str, Any] | None = None
) -> list[str]:
    with pytest.raises(ConfigError) as failed:
        load_config(_config(sink, send), tmp_path)
    return [
        problem.split(" (line")[0] + problem.split(")", 1)[1] for problem in failed.value.problems
    ]


def test_the_sink_is_registered_by_its_entry_point(tmp_path: Path) -> None:
    [entry] = [e for e in importlib.metadata.entry_points(group="hookyard") if e.name == "email"]
    assert entry.load() is hookyard_email
    setup = load_config(_config({"host": "smtp.example.com", "from": "help@example.com"}), tmp_path)
    options = setup.config.sinks["mail"].options
    assert (options.from_, options.security, options.server_port) == (
        "help@example.com",
        "starttls",
        587,
    )
    assert setup.registry.sinks["email"].actions == ("send",)


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("tls", 465), ("none", 25)])
def test_the_port_follows_security_unless_given(tmp_path: Path, security: str, port: int) -> None:
    sink = {"host": "smtp.example.com", "from": "help@example.com", "security": security}
    assert load_config(_config(sink), tmp_path).config.sinks["mail"].options.server_port == port
    sink["port"] = 2525
    assert load_config(_config(sink), tmp_path).config.sinks["mail"].options.server_port == 2525


def test_from_is_required_and_read_as_an_address(tmp_path: Path) -> None:
    assert _problems(tmp_path, {"host": "smtp.example.com"}) == [
        "sinks.mail.from: required field missing"
    ]
    assert _problems(tmp_path, {"host": "smtp.example.com", "from": "support"}) == [
        "sinks.mail.from: expected an e-mail address such as help@example.com or "
        "'Support <help@example.com>', got 'support'"
    ]


def test_an_unknown_option_suggests_the_key_to_write(tmp_path: Path) -> None:
    sink = {"host": "smtp.example.com", "from": "help@example.com", "from_": "x@example.com"}
    assert _problems(tmp_path, sink) == [
        "sinks.mail.from_: unknown key; did you mean 'from'? (email options: ca_file, from, "
        "host, password, port, security, timeout, username)"
    ]


_HOST = "smtp.example.com"
_WRONG_OPTIONS = [
    (
        {"host": f"smtp://{_HOST}"},
        f"sinks.mail.host: host is a host name or IP address, not a URL (got 'smtp://{_HOST}')",
    ),
    (
        {"host": f"user:pw@{_HOST}"},
        "sinks.mail.host: host must not hold credentials: use username and password",
    ),
    (
        {"host": f"{_HOST}:587"},
        f"sinks.mail.host: host takes no port (got '{_HOST}:587'): put it in port",
    ),
    ({"port": 70000}, "sinks.mail.port: port must be from 1 to 65535, got 70000"),
    (
        {"security": "ssl"},
        "sinks.mail.security: security must be starttls, tls or none, got 'ssl'",
    ),
    (
        {"username": "relay"},
        "sinks.mail.password: give username and password together, or neither",
    ),
    ({"timeout": "0s"}, "sinks.mail.timeout: timeout must be more than 0 seconds, got 0.0"),
    (
        {"security": "none", "ca_file": "ca.pem"},
        "sinks.mail.ca_file: ca_file needs security: starttls or tls (security none uses no TLS)",
    ),
]


@pytest.mark.parametrize(("changes", "problem"), _WRONG_OPTIONS)
def test_a_wrong_option_is_named_with_why(
    tmp_path: Path, changes: dict[str, Any], problem: str
) -> None:
    sink = {"host": "smtp.example.com", "from": "help@example.com", **changes}
    assert _problems(tmp_path, sink) == [problem]


def test_a_ca_file_that_is_no_certificate_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate", encoding="utf-8")
    sink = {"host": "smtp.example.com", "from": "help@example.com", "ca_file": "ca.pem"}
    [problem] = _problems(tmp_path, sink)
    assert problem.startswith(
        f"sinks.mail.ca_file: cannot load the CA certificates in {tmp_path / 'ca.pem'}"
    )


_TAKES = "cc, html, subject, text, to"
_WRONG_SENDS = [
    ({"subject": "s", "text": "t"}, "routes[0].with: sink 'mail' action 'send' needs 'to'"),
    (
        {"to": "a@example.com", "text": "t"},
        "routes[0].with: sink 'mail' action 'send' needs 'subject'",
    ),
    (
        {"to": 42, "subject": "s", "text": "t"},
        "routes[0].with.to: expected an e-mail address or a list of them, got 42",
    ),
    (
        {"to": ["a@example.com", "ada"], "subject": "s", "text": "t"},
        "routes[0].with.to: not an e-mail address: 'ada'",
    ),
    (
        {
            "to": "a@example.com",
            "cc": "x@example.com\nBcc: all@example.com",
            "subject": "s",
            "text": "t",
        },
        "routes[0].with.cc: an address has a line break: 'x@example.com\\nBcc: all@example.com'",
    ),
    (
        {"to": "a@example.com", "subject": "s"},
        "routes[0].with: give text, html or both: the mail needs a body",
    ),
    (
        {**SEND, "bcc": "boss@example.com"},
        f"routes[0].with.bcc: sink 'mail' action 'send' takes no 'bcc' (it takes {_TAKES})",
    ),
]


@pytest.mark.parametrize(("send", "problem"), _WRONG_SENDS)
def test_a_wrong_send_is_named_with_why(tmp_path: Path, send: dict[str, Any], problem: str) -> None:
    sink = {"host": "smtp.example.com", "from": "help@example.com"}
    assert _problems(tmp_path, sink, send) == [problem]


def test_the_documented_example_is_a_valid_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Path(__file__).parents[3] / "docs" / "sinks" / "email.md"
    example = page.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("SMTP_PASSWORD", "from-the-environment")
    text = "sources: {chats: {vendor: generic, auth: none}}\n" + example
    options = load_config(text, tmp_path).config.sinks["support-mail"].options
    assert (options.host, options.server_port, options.password) == (
        "smtp.example.com",
        587,
        "from-the-environment",
    )


@pytest.mark.parametrize(
    ("sender", "message"),
    [
        ("a@example.com, c@example.com", "from is one sender"),
        ("a@exa\x00mple.com", "expected an e-mail address"),
    ],
)
def test_a_sender_no_mail_could_carry_is_named(tmp_path: Path, sender: str, message: str) -> None:
    [problem] = _problems(tmp_path, {"host": "smtp.example.com", "from": sender})
    assert problem.startswith("sinks.mail.from:") and message in problem


def test_a_recipient_with_a_control_character_is_named(tmp_path: Path) -> None:
    send = {**SEND, "to": "b@exa\x00mple.com"}
    [problem] = _problems(tmp_path, {"host": "smtp.example.com", "from": "h@example.com"}, send)
    assert problem.startswith("routes[0].with.to: an address has a control character")
